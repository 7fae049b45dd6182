// Package deps pins the project's dependencies while the packages that use
// them are written. It is removed once every dependency has an importer.
package deps

import (
	_ "github.com/emersion/go-msgauth/dkim"
	_ "github.com/emersion/go-smtp"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hibiken/asynq"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/robfig/cron/v3"
	_ "github.com/wneessen/go-mail"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
