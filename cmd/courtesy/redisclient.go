package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/config"
)

// redisClient makes the client of the configured Redis — one node,
// Sentinel or Cluster — with its credentials and TLS, and says where it
// connects and what to look at if it cannot. The client is the one
// asynq's RedisClientOpt, RedisFailoverClientOpt and RedisClusterClientOpt
// make; asynq shares it.
func redisClient(cfg *config.Config) (rdb redis.UniversalClient, where string, err error) {
	rc, sec := cfg.Redis, cfg.Secrets
	tlsConf, err := redisTLS(cfg)
	if err != nil {
		return nil, "", err
	}
	if sec.RedisSentinelPassword != "" && rc.Sentinel.Master == "" {
		return nil, "", usagef("%s is set, but redis.sentinel in the config names no Sentinels", config.EnvRedisSentinelPassword)
	}
	switch {
	case len(rc.Cluster.Addrs) > 0:
		rdb = redis.NewClusterClient(&redis.ClusterOptions{Addrs: rc.Cluster.Addrs,
			Username: rc.Username, Password: sec.RedisPassword, TLSConfig: tlsConf})
		where = "the Redis Cluster at " + strings.Join(rc.Cluster.Addrs, ", ")
	case rc.Sentinel.Master != "":
		rdb = redis.NewFailoverClient(&redis.FailoverOptions{MasterName: rc.Sentinel.Master, SentinelAddrs: rc.Sentinel.Addrs,
			SentinelUsername: rc.Sentinel.Username, SentinelPassword: sec.RedisSentinelPassword,
			Username: rc.Username, Password: sec.RedisPassword, DB: rc.DB, TLSConfig: tlsConf})
		where = fmt.Sprintf("the Redis primary %q of the Sentinels at %s", rc.Sentinel.Master, strings.Join(rc.Sentinel.Addrs, ", "))
	default:
		opt, err := redis.ParseURL(rc.URL)
		if err != nil {
			return nil, "", usagef("REDIS_URL %s: %v", redactURL(rc.URL), err)
		}
		if sec.RedisPassword != "" {
			if opt.Password != "" && opt.Password != sec.RedisPassword {
				return nil, "", usagef("REDIS_URL holds one password and %s another: give it once", config.EnvRedisPassword)
			}
			opt.Password = sec.RedisPassword
		}
		if rc.Username != "" {
			if opt.Username != "" && opt.Username != rc.Username {
				return nil, "", usagef("REDIS_URL names the user %q and redis.username %q: give it once", opt.Username, rc.Username)
			}
			opt.Username = rc.Username
		}
		if tlsConf != nil {
			if opt.TLSConfig == nil { // redis:// with redis.tls
				tlsConf.ServerName, _, _ = strings.Cut(opt.Addr, ":")
				opt.TLSConfig = tlsConf
			} else { // rediss://: its server name, the configured roots
				opt.TLSConfig.RootCAs = tlsConf.RootCAs
			}
		}
		rdb = redis.NewClient(opt)
		where = "Redis at " + redactURL(rc.URL)
	}
	return rdb, where, nil
}

// redisTLS is the TLS configuration redis.tls and redis.tls_ca_file ask
// for, nil for none.
func redisTLS(cfg *config.Config) (*tls.Config, error) {
	rc := cfg.Redis
	if !rc.UsesTLS() {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if rc.TLSCAFile != "" {
		pem, err := os.ReadFile(cfg.Path(rc.TLSCAFile))
		if err != nil {
			return nil, usagef("redis.tls_ca_file: %v", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, usagef("redis.tls_ca_file: %s holds no PEM certificate", rc.TLSCAFile)
		}
	}
	return conf, nil
}

// redisHint says what to look at when Redis does not answer: which setting
// or variable the error points to.
func redisHint(cfg *config.Config, err error) string {
	rc := cfg.Redis
	msg := err.Error()
	sentinel := rc.Sentinel.Master != ""
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	// go-redis says "all sentinels … are unreachable: <their reply>" when
	// it is the Sentinels that refuse.
	bySentinels := sentinel && strings.Contains(msg, "sentinels")
	switch {
	case strings.Contains(msg, "NOAUTH") || strings.Contains(msg, "Authentication required"):
		if bySentinels {
			return fmt.Sprintf("the Sentinels ask for a password and none was given: set %s (with redis.sentinel.username for an ACL user)", config.EnvRedisSentinelPassword)
		}
		return fmt.Sprintf("Redis asks for a password and none was given: set %s (with redis.username for an ACL user)", config.EnvRedisPassword)
	case strings.Contains(msg, "WRONGPASS") || strings.Contains(msg, "invalid password") || strings.Contains(msg, "invalid username-password"):
		if bySentinels {
			return fmt.Sprintf("the Sentinels refused the user name or password: check %s and redis.sentinel.username", config.EnvRedisSentinelPassword)
		}
		return fmt.Sprintf("the user name or password was refused: check %s (or the password in REDIS_URL) and redis.username", config.EnvRedisPassword)
	case errors.As(err, &unknownAuthority) || strings.Contains(msg, "certificate signed by unknown authority"):
		return "Redis's TLS certificate is not signed by a trusted authority: set redis.tls_ca_file to the CA that signed it"
	case errors.As(err, &hostname) || strings.Contains(msg, "certificate is valid for"):
		return "Redis's TLS certificate names another host: connect by a name the certificate holds"
	case errors.As(err, &record) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "Redis does not speak TLS on that port: drop redis.tls and redis.tls_ca_file, or use redis:// rather than rediss://"
	case !rc.UsesTLS() && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)):
		return "Redis closed the connection: if it takes TLS only, set redis.tls: true (or use rediss://)"
	case strings.Contains(msg, "DB index is out of range") || strings.Contains(msg, "invalid DB index"):
		return "there is no such database: check redis.db (Sentinel) or the number at the end of REDIS_URL"
	case len(rc.Cluster.Addrs) > 0:
		return "check redis.cluster.addrs in the config"
	case sentinel:
		return "check redis.sentinel in the config"
	}
	return "start one, or set REDIS_URL"
}
