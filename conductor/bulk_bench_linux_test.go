package conductor_test

import (
	"os/exec"
	"syscall"
)

// stopWithTest has the kernel kill cmd's process if the test binary dies
// without running its cleanups (a -timeout panic, a kill): no fake-server
// is left behind. The signal comes when the thread that started the
// process ends, which in Go is the process's end, as benchmarks do not
// lock their goroutine to a thread.
func stopWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
