package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWorkerLowersItsPriority starts real worker processes and reads the
// niceness of every one of their threads from /proc: a worker takes
// --worker-nice (every thread, not only the one that asked: on Linux a
// niceness is a thread's), never lowers one it was started with, and a web
// node keeps its own.
func TestWorkerLowersItsPriority(t *testing.T) {
	base := niceOf(t, "/proc/self/stat")
	if base > 13 {
		t.Skipf("this test runs at niceness %d; it needs room for 6 more", base)
	}
	c := newCLI(t, filepath.Join(t.TempDir(), "nice.db"))
	if _, errb, code := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errb)
	}
	for _, tc := range []struct {
		name    string
		wrapper []string // runs the process at a niceness of its own
		args    []string
		ready   string
		want    int
	}{
		{"worker", nil, []string{"serve", "--role", "worker", "--worker-nice", strconv.Itoa(base + 3)}, "worker is running", base + 3},
		{"worker started nicer", []string{"nice", "-n", "6"}, []string{"serve", "--role", "worker", "--worker-nice", strconv.Itoa(base + 3)}, "worker is running", base + 6},
		{"worker-nice 0", nil, []string{"serve", "--role", "worker", "--worker-nice", "0"}, "worker is running", base},
		{"web node", nil, []string{"serve", "--role", "web", "--addr", "127.0.0.1:0", "--worker-nice", strconv.Itoa(base + 3)}, "is running: open", base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A process that never prints its ready line is killed at the
			// deadline (its output then ends), not left to go test's timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, tc.args...)
			cmd.Env = c.env
			if tc.wrapper != nil {
				cmd.Args = append(append([]string{}, tc.wrapper...), cmd.Args...)
				cmd.Path = "/usr/bin/nice"
			}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				_ = cmd.Wait()
			}()
			sc := bufio.NewScanner(out)
			ready := false
			for !ready && sc.Scan() {
				ready = strings.Contains(sc.Text(), tc.ready)
			}
			if !ready {
				_ = cmd.Process.Kill()
				_ = cmd.Wait() // so that errb is complete and no longer written
				t.Fatalf("no %q line before it ended or the 60 s deadline (ctx: %v, output: %v; stderr: %s)",
					tc.ready, ctx.Err(), sc.Err(), errb.String())
			}
			dir := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task"
			tasks, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("%v (stderr: %s)", err, errb.String())
			}
			if len(tasks) < 2 {
				t.Fatalf("%d threads; a Go process has several", len(tasks))
			}
			for _, task := range tasks {
				if got := niceOf(t, filepath.Join(dir, task.Name(), "stat")); got != tc.want {
					t.Errorf("thread %s: niceness %d, want %d", task.Name(), got, tc.want)
				}
			}
		})
	}
}

// niceOf reads the niceness from a /proc stat file: the nineteenth field,
// counted from the third, the first after the command's closing
// parenthesis (a command may contain spaces).
func niceOf(t *testing.T, stat string) int {
	t.Helper()
	b, err := os.ReadFile(stat)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	n, err := strconv.Atoi(fields[19-3])
	if err != nil {
		t.Fatalf("%s: niceness %q: %v", stat, fields[19-3], err)
	}
	return n
}

// TestNiceThreadsRefused: a thread the system refuses does not leave the
// others at their priority, and every refusal is reported; a walk still
// changing threads after its last pass is an error, not a success.
func TestNiceThreadsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tid := range []string{"101", "102", "103", "104"} {
		if err := os.Mkdir(filepath.Join(dir, tid), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	nice := map[int]int{}
	p := threadPriority{
		get: func(tid int) (int, error) { return nice[tid], nil },
		set: func(tid, n int) error {
			if tid == 101 || tid == 103 {
				return syscall.EPERM
			}
			nice[tid] = n
			return nil
		},
	}
	err := niceThreads(dir, 10, p)
	if !errors.Is(err, syscall.EPERM) || !strings.Contains(err.Error(), "thread 101") || !strings.Contains(err.Error(), "thread 103") {
		t.Errorf("err = %v, want both refusals (EPERM)", err)
	}
	if nice[102] != 10 || nice[104] != 10 {
		t.Errorf("niceness after a refusal: %v, want 102 and 104 at 10", nice)
	}

	// A thread that never keeps its niceness: every pass changes it.
	p.get = func(int) (int, error) { return 0, nil }
	p.set = func(int, int) error { return nil }
	if err := niceThreads(dir, 10, p); err == nil || !strings.Contains(err.Error(), "still changing") {
		t.Errorf("err = %v, want an error for threads still changing after the last pass", err)
	}
}
