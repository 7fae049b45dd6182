package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// proc is one courtesy process the harness started and may kill.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// procs starts courtesy processes with one environment and logs each to a
// file of its own in dir.
type procs struct {
	bin, dir string
	env      []string

	mu  sync.Mutex
	all []*proc
	seq int
}

func (ps *procs) start(name string, args ...string) (*proc, error) {
	ps.mu.Lock()
	ps.seq++
	logName := filepath.Join(ps.dir, fmt.Sprintf("%s.%d.log", name, ps.seq))
	ps.mu.Unlock()
	logf, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(ps.bin, args...)
	cmd.Dir = ps.dir
	cmd.Env = ps.env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(p.done)
	}()
	ps.mu.Lock()
	ps.all = append(ps.all, p)
	ps.mu.Unlock()
	return p, nil
}

// run runs a short command to its end and returns its combined output.
func (ps *procs) run(args ...string) (string, error) {
	cmd := exec.Command(ps.bin, args...)
	cmd.Dir = ps.dir
	cmd.Env = ps.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kill SIGKILLs the process and waits for it to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop asks the process to shut down and kills it after grace.
func (p *proc) stop(grace time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

// stopAll stops every process still running, in parallel.
func (ps *procs) stopAll(grace time.Duration) {
	ps.mu.Lock()
	all := append([]*proc(nil), ps.all...)
	ps.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		if p.alive() {
			wg.Add(1)
			go func() { defer wg.Done(); p.stop(grace) }()
		}
	}
	wg.Wait()
}
