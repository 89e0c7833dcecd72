package conductortest

// window keeps the most recent values within a count and a byte limit,
// dropping the oldest first. The newest value is always kept, whatever its
// size. It is not safe for concurrent use; the Server's mutex guards it.
type window[T any] struct {
	maxLen, maxBytes int
	// onDrop, if set, is called with each value dropped, so that an index
	// of the values elsewhere can forget it too.
	onDrop func(T)

	entries []windowEntry[T] // oldest first
	bytes   int
}

type windowEntry[T any] struct {
	value T
	size  int
}

// add appends v, which takes size bytes, and drops the oldest values until
// the window is within its limits again.
func (w *window[T]) add(v T, size int) {
	w.entries = append(w.entries, windowEntry[T]{v, size})
	w.bytes += size
	for len(w.entries) > 1 && (len(w.entries) > w.maxLen || w.bytes > w.maxBytes) {
		old := w.entries[0]
		// Clear the slot: the backing array outlives the slice's start,
		// and would otherwise keep the dropped value (a 1 MiB body) alive
		// until append next reallocates it.
		w.entries[0] = windowEntry[T]{}
		w.entries = w.entries[1:]
		w.bytes -= old.size
		if w.onDrop != nil {
			w.onDrop(old.value)
		}
	}
}

// values returns the values, oldest first, in a new slice.
func (w *window[T]) values() []T {
	out := make([]T, len(w.entries))
	for i, e := range w.entries {
		out[i] = e.value
	}
	return out
}
