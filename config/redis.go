package config

import (
	"net/url"

	"github.com/courtesyhq/courtesy/internal/yamlnode"
)

// Redis's secrets, read from the environment only.
const (
	EnvRedisPassword         = "COURTESY_REDIS_PASSWORD"
	EnvRedisSentinelPassword = "COURTESY_REDIS_SENTINEL_PASSWORD"
)

func (c *Config) decodeRedis(r *yamlnode.Map) {
	r.String("url", &c.Redis.URL)
	r.String("username", &c.Redis.Username)
	r.Int("db", &c.Redis.DB)
	r.Bool("tls", &c.Redis.TLS)
	r.String("tls_ca_file", &c.Redis.TLSCAFile)
	noPassword(r, EnvRedisPassword)
	sen := r.Sub("sentinel")
	sen.String("master", &c.Redis.Sentinel.Master)
	c.Redis.Sentinel.Addrs, _ = sen.Strings("addrs", nil)
	sen.String("username", &c.Redis.Sentinel.Username)
	noPassword(sen, EnvRedisSentinelPassword)
	sen.Close()
	cl := r.Sub("cluster")
	c.Redis.Cluster.Addrs, _ = cl.Strings("addrs", nil)
	noPassword(cl, EnvRedisPassword)
	cl.Close()
	r.Close()
}

// noPassword refuses a password written in the file, naming the variable
// it belongs in, and never repeating it.
func noPassword(m *yamlnode.Map, env string) {
	if k := m.KeyNode("password"); k != nil {
		m.Node("password") // known, so Close does not call it a misspelling
		m.Doc().Errorf(k, m.Field("password"), "a password never goes in the config file, which is copied and committed: set %s in the environment instead", env)
	}
}

// validateRedis checks what the Redis section's fields say together.
func (c *Config) validateRedis(bad func(field, format string, args ...any)) {
	r := c.Redis
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
		bad("redis.url", "is not a redis://, rediss:// or unix:// URL")
	} else if _, ok := u.User.Password(); ok {
		bad("redis.url", "holds a password, and the config file is copied and committed: put the URL in REDIS_URL in the environment, or the password alone in %s", EnvRedisPassword)
	}
	if s := r.Sentinel; (s.Master == "") != (len(s.Addrs) == 0) {
		bad("redis.sentinel", "master and addrs go together")
	}
	if r.Sentinel.Username != "" && r.Sentinel.Master == "" {
		bad("redis.sentinel.username", "is for the Sentinels, and redis.sentinel names none")
	}
	if r.Sentinel.Master != "" && len(r.Cluster.Addrs) > 0 {
		bad("redis.cluster", "choose sentinel or cluster, not both")
	}
	switch {
	case r.DB < 0:
		bad("redis.db", "%d is not a database number", r.DB)
	case r.DB != 0 && len(r.Cluster.Addrs) > 0:
		bad("redis.db", "a Redis Cluster has only database 0")
	case r.DB != 0 && r.Sentinel.Master == "":
		bad("redis.db", "is for a primary under Sentinel; one node names its database in its URL (redis://host:6379/%d)", r.DB)
	}
}
