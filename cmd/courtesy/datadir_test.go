package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// readOnlyShop lays out what the container image runs: the bakery's
// configuration in a directory nobody may write to, and a data directory
// that the process's own user owns. As root (who may write anywhere) the
// process runs as nobody, as the image's non-root user does.
type readOnlyShop struct {
	bin, config, data string
	env               []string
	cred              *syscall.Credential
}

func newReadOnlyShop(t *testing.T) *readOnlyShop {
	t.Helper()
	bin := procBinary(t)
	root, err := os.MkdirTemp("", "courtesy-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				_ = os.Chmod(p, 0o700)
			}
			return nil
		})
		_ = os.RemoveAll(root)
	})
	s := &readOnlyShop{bin: bin, config: filepath.Join(root, "etc"), data: filepath.Join(root, "var")}
	if err := os.CopyFS(s.config, os.DirFS("../../examples/bakery")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		s.cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		for _, p := range []string{filepath.Dir(bin), root} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(s.data, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	err = filepath.WalkDir(s.config, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o555)
		}
		return os.Chmod(p, 0o444)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"COURTESY_CONFIG=" + filepath.Join(s.config, "courtesy.yaml"),
		"REDIS_URL=" + testenv.RedisURL(t, testenv.RedisDBCommand),
		"SMTP_URL=" + mailtest.NewSink(t).URL(),
		"COURTESY_LINK_KEYS=k1:" + strings.Repeat("QUJD", 11),
	}
	return s
}

func (s *readOnlyShop) command(env ...string) *exec.Cmd {
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = append(append([]string(nil), s.env...), env...)
	cmd.Dir = s.data
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

// listing is every file under dir with its size and time, to tell whether
// anything was written there.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fmt.Sprint(fi.Mode(), fi.ModTime(), fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServeRunsWithAReadOnlyConfigDirectory is the container's start:
// `courtesy serve` with its configuration mounted read-only and
// COURTESY_DATA_DIR on a volume of its own comes up ready, keeps its
// database in the data directory and writes nothing beside its config.
func TestServeRunsWithAReadOnlyConfigDirectory(t *testing.T) {
	s := newReadOnlyShop(t)
	before := listing(t, s.config)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := s.command("COURTESY_DATA_DIR="+s.data, "COURTESY_LISTEN="+addr)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	ready := false
	for deadline := time.Now().Add(30 * time.Second); !ready && time.Now().Before(deadline); {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("serve exited (%v):\n%s", err, log.String())
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			ready = resp.StatusCode == http.StatusOK
			_ = resp.Body.Close()
		}
	}
	if !ready {
		t.Fatalf("serve did not become ready:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(s.data, "courtesy.db")); err != nil {
		t.Errorf("the database is not in the data directory: %v", err)
	}
	after := listing(t, s.config)
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("serve wrote %s in the config directory", p)
		}
	}
}

// TestServeNamesAnUnwritableDataDir: without COURTESY_DATA_DIR the data
// directory is inside the read-only config directory, and serve says which
// setting put it there rather than relaying SQLite's complaint.
func TestServeNamesAnUnwritableDataDir(t *testing.T) {
	s := newReadOnlyShop(t)
	out, err := s.command().CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("serve: %v, want exit 1\n%s", err, out)
	}
	want := fmt.Sprintf("%s:%d: data_dir %s cannot be created", filepath.Join(s.config, "courtesy.yaml"),
		lineOf(t, filepath.Join(s.config, "courtesy.yaml"), "data_dir:"), filepath.Join(s.config, "data"))
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "COURTESY_DATA_DIR") {
		t.Errorf("serve said:\n%s\nwant it to name %q and how to move it", out, want)
	}
}

// lineOf is the number of the first line of file that starts with prefix.
func lineOf(t *testing.T, file, prefix string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line starting %q", file, prefix)
	return 0
}
