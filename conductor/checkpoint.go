package conductor

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Checkpoint is where a change feed resumes: text to store as it is (a
// database column, a file) and pass back as the since of the next run.
// "", the zero Checkpoint, starts a feed from the beginning: every object
// there is, then the changes after them.
//
// It is opaque but versioned: a checkpoint written by this version of the
// library is read by later ones. It is bound to the resource and the
// end-user it was made for; another resource's or end-user's is refused.
// Its size grows with what it remembers of the changes just before it
// (the updates of the last ten minutes, the deletions of the last day, up
// to 2,000 of each, some 65 bytes of text apiece): a few hundred bytes
// for a quiet company, 350 KB at the very most.
type Checkpoint string

// checkpointPrefix starts a checkpoint of this format, version 1.
const checkpointPrefix = "v1."

// maxMark is the latest time a checkpoint may hold, in Unix seconds:
// the end of the year 9999, the last a time filter can name.
const maxMark = 253402300799

// maxCheckpointBytes bounds the checkpoint read, so that a corrupt or
// hostile one cannot make the client allocate without limit.
const maxCheckpointBytes = 1 << 20

// feedState is where a feed stands: what it has delivered, as much as a
// checkpoint says. A snapshot of it is immutable: the logs only append,
// and a snapshot sees the entries up to its own length.
type feedState struct {
	// raw, when set, is a checkpoint that could not be read, given back
	// as it is by the error's Change.
	raw Checkpoint
	// resource is the feed's SDK name; endUser the hash of its end-user.
	resource, endUser string
	// updatedUntil is the latest updatedAt delivered: every object
	// stamped before it, less the overlap, was delivered.
	updatedUntil time.Time
	// deletedUntil is how far the deletion history has been read: every
	// deletion stamped before it, less the overlap, was delivered.
	deletedUntil time.Time
	// upserts are the objects delivered at or after updatedUntil less
	// the overlap (id and revision); gone, the deletions delivered at
	// or after deletedUntil less the overlap (id).
	upserts, gone seenLog
}

// overlapStart is where a run looks again from, for a feed delivered up
// to t.
func overlapStart(t time.Time) time.Time {
	return t.Add(-feedOverlap).Truncate(time.Second)
}

// seenEntry is an object (or deletion) delivered: its id, its revision
// (none for a deletion) and its stamp, in Unix seconds. A checkpoint
// writes it as ["id","rev",stamp], the shortest JSON that holds it.
type seenEntry struct {
	ID, Rev string
	At      int64
}

// appendJSON appends e's JSON to b. A checkpoint is written after every
// change a loop stores, with up to thousands of entries: by hand, it
// costs a copy of each, where encoding/json's reflection cost most of a
// feed's time.
func (e seenEntry) appendJSON(b []byte) []byte {
	b = append(b, '[')
	b = appendJSONString(b, e.ID)
	b = append(b, ',')
	b = appendJSONString(b, e.Rev)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.At, 10)
	return append(b, ']')
}

// appendJSONString appends s as a JSON string: as it is, quoted, when it
// is printable ASCII with nothing to escape (QuickBooks' ids and
// revisions are), else as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (e *seenEntry) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) != 3 {
		return fmt.Errorf("an entry of %d values, not 3", len(a))
	}
	return errors.Join(json.Unmarshal(a[0], &e.ID), json.Unmarshal(a[1], &e.Rev), json.Unmarshal(a[2], &e.At))
}

// seenLog is the entries delivered within the overlap, oldest first
// (unless disordered: a late commit may come after a later stamp), and
// an index of the live ones.
type seenLog struct {
	entries []seenEntry // the live ones are entries[start:]
	start   int
	index   map[[2]string]int // how many live entries have this id and revision
	// latest is the latest stamp added; disordered says an entry was
	// added after one stamped later, so the first live entry may not be
	// the oldest, nor the ones after it within the overlap.
	latest     int64
	disordered bool
}

func (l *seenLog) has(id, rev string) bool { return l.index[[2]string{id, rev}] > 0 }

// maxSeenEntryBytes is the most a remembered entry takes in a checkpoint,
// as JSON. QuickBooks' ids and revisions take some 50; an entry longer
// than this is not remembered (its change may come again after a
// resume), so that a checkpoint stays within the size Checkpoint gives
// and below maxCheckpointBytes, whatever the ids a server answers.
const maxSeenEntryBytes = 64

// add remembers e, unless it is too long to.
func (l *seenLog) add(e seenEntry) {
	if len(e.appendJSON(nil)) > maxSeenEntryBytes {
		return
	}
	if len(l.entries)-l.start >= feedSeenMax && !l.disordered && e.At <= l.entries[l.start].At {
		// Full, and no newer than all it holds: it would be the first
		// forgotten, and would push out one a resumed run is about to
		// meet (which would then push out the next, and so on).
		return
	}
	if l.index == nil {
		l.index = map[[2]string]int{}
	}
	if e.At < l.latest {
		l.disordered = true
	}
	l.latest = max(l.latest, e.At)
	l.entries = append(l.entries, e)
	l.index[[2]string{e.ID, e.Rev}]++
}

// prune forgets the entries stamped before from, and the oldest beyond
// feedSeenMax. Forgetting one only means delivering it again after a
// resume, never missing one.
func (l *seenLog) prune(from time.Time) {
	for l.start < len(l.entries) && l.entries[l.start].At < from.Unix() {
		l.drop()
	}
	if len(l.entries)-l.start > feedSeenMax && l.disordered {
		// Entries stamped before from may sit behind the first: they
		// must not keep ones within the overlap from being remembered.
		l.sort(from)
	}
	for len(l.entries)-l.start > feedSeenMax {
		l.drop()
	}
	if l.start > feedSeenMax && l.start > len(l.entries)/2 {
		// A fresh array: snapshots keep the old one.
		l.entries, l.start = append([]seenEntry(nil), l.entries[l.start:]...), 0
	}
}

// sort forgets the live entries stamped before from, wherever they are,
// and puts the others in a fresh array (snapshots keep the old one),
// oldest first, and of one stamp the last added first: the first
// forgotten, as add would have refused it.
func (l *seenLog) sort(from time.Time) {
	live := l.entries[l.start:]
	kept := make([]seenEntry, 0, len(live))
	for i := len(live) - 1; i >= 0; i-- {
		if live[i].At >= from.Unix() {
			kept = append(kept, live[i])
		}
	}
	slices.SortStableFunc(kept, func(a, b seenEntry) int { return cmp.Compare(a.At, b.At) })
	l.entries, l.start, l.disordered = kept, 0, false
	clear(l.index)
	for _, e := range kept {
		l.index[[2]string{e.ID, e.Rev}]++
	}
}

// drop forgets the first live entry.
func (l *seenLog) drop() {
	e := l.entries[l.start]
	k := [2]string{e.ID, e.Rev}
	if l.index[k]--; l.index[k] <= 0 {
		delete(l.index, k)
	}
	l.start++
}

// live are the live entries, capped so that appending to them copies.
func (l *seenLog) live() []seenEntry {
	return l.entries[l.start:len(l.entries):len(l.entries)]
}

func (st *feedState) seen(s stamp) bool { return st.upserts.has(s.id, s.rev) }

func (st *feedState) noteUpsert(s stamp) {
	if s.at.After(st.updatedUntil) {
		st.updatedUntil = s.at
	}
	st.upserts.add(seenEntry{ID: s.id, Rev: s.rev, At: s.at.Unix()})
	st.upserts.prune(overlapStart(st.updatedUntil))
}

func (st *feedState) goneSeen(id string) bool { return st.gone.has(id, "") }

func (st *feedState) noteGone(id string, at time.Time) {
	at = at.Truncate(time.Second)
	st.gone.add(seenEntry{ID: id, At: at.Unix()})
	st.advanceDeleted(at)
}

func (st *feedState) advanceDeleted(t time.Time) {
	if t = t.Truncate(time.Second); t.After(st.deletedUntil) {
		st.deletedUntil = t
	}
	st.gone.prune(overlapStart(st.deletedUntil))
}

// snapshot is st as it stands, unchanged by what st notes after.
func (st *feedState) snapshot() *feedState {
	return &feedState{
		resource: st.resource, endUser: st.endUser,
		updatedUntil: st.updatedUntil, deletedUntil: st.deletedUntil,
		upserts: seenLog{entries: st.upserts.live()},
		gone:    seenLog{entries: st.gone.live()},
	}
}

// checkpointText is a checkpoint's content, as JSON.
type checkpointText struct {
	Resource string      `json:"r"`
	EndUser  string      `json:"e"`
	Updated  int64       `json:"u,omitempty"`
	Deleted  int64       `json:"d,omitempty"`
	Upserts  []seenEntry `json:"s,omitempty"`
	Gone     []seenEntry `json:"x,omitempty"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// checkpoint writes st as a Checkpoint.
func (st *feedState) checkpoint() Checkpoint {
	if st == nil {
		return ""
	}
	if st.raw != "" {
		return st.raw
	}
	// checkpointText's JSON, written by hand (see appendJSON).
	b := append([]byte(nil), `{"r":`...)
	b = appendJSONString(b, st.resource)
	b = append(b, `,"e":`...)
	b = appendJSONString(b, st.endUser)
	if u := unixOrZero(st.updatedUntil); u != 0 {
		b = strconv.AppendInt(append(b, `,"u":`...), u, 10)
	}
	if d := unixOrZero(st.deletedUntil); d != 0 {
		b = strconv.AppendInt(append(b, `,"d":`...), d, 10)
	}
	for _, list := range []struct {
		key     string
		entries []seenEntry
	}{{"s", st.upserts.live()}, {"x", st.gone.live()}} {
		if len(list.entries) == 0 {
			continue
		}
		b = append(b, `,"`+list.key+`":[`...)
		for i, e := range list.entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	return Checkpoint(checkpointPrefix + base64.RawURLEncoding.EncodeToString(b))
}

// endUserHash is what a checkpoint keeps of its end-user: enough to tell
// another's, without the id itself.
func endUserHash(endUserID string) string {
	sum := sha256.Sum256([]byte(endUserID))
	return hex.EncodeToString(sum[:6])
}

// parseCheckpoint reads the checkpoint a run of resource's feed for
// endUserID starts from. On error, the state gives cp back as it is.
func parseCheckpoint(cp Checkpoint, resource, endUserID string) (*feedState, error) {
	st := &feedState{resource: resource, endUser: endUserHash(endUserID)}
	if cp == "" {
		return st, nil
	}
	bad := func(why string, args ...any) (*feedState, error) {
		return &feedState{raw: cp}, fmt.Errorf("conductor: %s changes: the checkpoint %s; pass one a Change of this feed gave (Change.Checkpoint), or \"\" to start from the beginning", resource, fmt.Sprintf(why, args...))
	}
	if len(cp) > maxCheckpointBytes {
		return bad("is %d bytes long, more than any this library writes (%d at most)", len(cp), maxCheckpointBytes)
	}
	rest, ok := strings.CutPrefix(string(cp), checkpointPrefix)
	if !ok {
		return bad("does not start with %q, as this library's do: it is not one of this feed's, or a later version of the library wrote it", checkpointPrefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	var t checkpointText
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil {
		return bad("cannot be read (%v): it was changed or cut short", err)
	}
	if t.Resource != resource {
		return bad("is one of the %s feed's", t.Resource)
	}
	if t.EndUser != st.endUser {
		return bad("is another end-user's (a checkpoint is one end-user's, and %s is not the one it was made for)", endUserID)
	}
	for _, mark := range []int64{t.Updated, t.Deleted} {
		if mark < 0 || mark > maxMark {
			return bad("holds a time (%d) outside the years 1970 to 9999, which no QuickBooks stamp is in: it was changed", mark)
		}
	}
	if t.Deleted == 0 && (t.Updated != 0 || len(t.Upserts) > 0 || len(t.Gone) > 0) {
		// Every run notes where the deletions begin before it delivers
		// anything; without that mark, the next would deliver none.
		return bad("has changes delivered but no mark of the deletions delivered, as none this library writes: it was changed")
	}
	st.updatedUntil, st.deletedUntil = timeOrZero(t.Updated), timeOrZero(t.Deleted)
	for _, e := range t.Upserts {
		st.upserts.add(e)
	}
	for _, e := range t.Gone {
		st.gone.add(e)
	}
	st.upserts.prune(overlapStart(st.updatedUntil))
	st.gone.prune(overlapStart(st.deletedUntil))
	return st, nil
}
