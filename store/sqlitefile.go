package store

import "strings"

// SQLiteFile returns the file a database URL keeps its data in, and false
// for PostgreSQL (or a URL Open would refuse): what must be writable on
// this machine before Open can work.
func SQLiteFile(rawURL string) (string, bool) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return "", false
	}
	p, err := sqlitePath(rawURL)
	return p, err == nil
}
