package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/courtesyhq/courtesy/store"
)

// makeDataDir makes sure the SQLite database can be written before it is
// opened, so that a read-only directory is reported by the setting that
// put the database there rather than by SQLite's "unable to open database
// file". With PostgreSQL nothing is written on this machine, and nothing
// is created.
func (a *app) makeDataDir() error {
	file, ok := store.SQLiteFile(a.cfg.Database.URL)
	if !ok {
		return nil
	}
	dir := filepath.Dir(file)
	data := filepath.Clean(a.cfg.Path(a.cfg.DataDir))
	if dir != data && !strings.HasPrefix(dir, data+string(filepath.Separator)) {
		if err := writable(dir); err != nil {
			return fmt.Errorf("DATABASE_URL %s: the database's directory %w", redactURL(a.cfg.Database.URL), err)
		}
		return nil
	}
	if err := writable(dir); err != nil {
		where := a.cfg.File()
		if line, _ := a.cfg.Pos("data_dir"); line > 0 {
			where = fmt.Sprintf("%s:%d", where, line)
		}
		return fmt.Errorf("%s: data_dir %s %w; courtesy keeps its database there: make it writable, or set data_dir or COURTESY_DATA_DIR to a directory that is", where, data, err)
	}
	return nil
}

// writable creates dir when it is missing and checks that a file can be
// made in it.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot be created: %w", unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".courtesy-write-check-*")
	if err != nil {
		return fmt.Errorf("is not writable: %w", unwrapPath(err))
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

// unwrapPath drops the path an *os.PathError repeats, since the message
// already names the directory.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
