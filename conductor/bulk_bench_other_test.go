//go:build !linux

package conductor_test

import "os/exec"

// stopWithTest does nothing here: only Linux kills a child process when
// its parent dies, so a fake-server outlives a test binary that dies
// without running its cleanups.
func stopWithTest(*exec.Cmd) {}
