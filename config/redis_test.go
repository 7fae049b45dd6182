package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedisSection(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+`redis:
  username: courtesy
  db: 2
  tls: true
  tls_ca_file: certs/redis-ca.pem
  sentinel:
    master: mymaster
    addrs: ["10.0.0.1:26379", "10.0.0.2:26379"]
    username: watcher
`)
	env := map[string]string{EnvRedisPassword: "data-password", EnvRedisSentinelPassword: " sentinel-password\n"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want := Redis{URL: "redis://127.0.0.1:6379/0", Username: "courtesy", DB: 2, TLS: true, TLSCAFile: "certs/redis-ca.pem",
		Sentinel: Sentinel{Master: "mymaster", Addrs: []string{"10.0.0.1:26379", "10.0.0.2:26379"}, Username: "watcher"}}
	if diff := cmp.Diff(want, c.Redis); diff != "" {
		t.Errorf("redis section (-want +got):\n%s", diff)
	}
	if c.Secrets.RedisPassword != "data-password" || c.Secrets.RedisSentinelPassword != "sentinel-password" {
		t.Errorf("passwords from the environment: %q, %q", c.Secrets.RedisPassword, c.Secrets.RedisSentinelPassword)
	}
	if !c.Redis.UsesTLS() {
		t.Error("redis.tls does not turn TLS on")
	}
}

func TestRedisUsesTLS(t *testing.T) {
	for _, tt := range []struct {
		r    Redis
		want bool
	}{
		{Redis{URL: "redis://h:6379/0"}, false},
		{Redis{URL: "rediss://h:6379/0"}, true},
		{Redis{URL: "redis://h:6379/0", TLSCAFile: "ca.pem"}, true},
		{Redis{URL: "rediss://h:6379/0", Cluster: Cluster{Addrs: []string{"a:7000"}}}, false}, // the URL is not used
		{Redis{Cluster: Cluster{Addrs: []string{"a:7000"}}, TLS: true}, true},
	} {
		if got := tt.r.UsesTLS(); got != tt.want {
			t.Errorf("%+v: UsesTLS = %v, want %v", tt.r, got, tt.want)
		}
	}
}

// A Redis password is refused in the file, wherever it is written, with
// the variable it belongs in; the refusal never repeats it. The database
// number is for Sentinel only.
func TestRedisValidation(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"password", "redis:\n  password: hunter2-hunter2\n",
			[]string{"courtesy.yaml:11: redis.password: a password never goes in the config file, which is copied and committed: set COURTESY_REDIS_PASSWORD in the environment instead"}},
		{"the Sentinels' password", "redis:\n  sentinel:\n    master: m\n    addrs: [\"h:26379\"]\n    password: hunter2-hunter2\n",
			[]string{"courtesy.yaml:14: redis.sentinel.password: a password never goes in the config file, which is copied and committed: set COURTESY_REDIS_SENTINEL_PASSWORD in the environment instead"}},
		{"the Cluster's password", "redis:\n  cluster:\n    addrs: [\"h:7000\"]\n    password: hunter2-hunter2\n",
			[]string{"courtesy.yaml:13: redis.cluster.password: a password never goes in the config file, which is copied and committed: set COURTESY_REDIS_PASSWORD in the environment instead"}},
		{"a password in the URL", "redis:\n  url: redis://courtesy:hunter2-hunter2@h:6379/0\n",
			[]string{"courtesy.yaml:11: redis.url: holds a password, and the config file is copied and committed: put the URL in REDIS_URL in the environment, or the password alone in COURTESY_REDIS_PASSWORD"}},
		{"a database number for one node", "redis:\n  db: 3\n",
			[]string{"courtesy.yaml:11: redis.db: is for a primary under Sentinel; one node names its database in its URL (redis://host:6379/3)"}},
		{"a database number for a Cluster", "redis:\n  db: 3\n  cluster:\n    addrs: [\"h:7000\"]\n",
			[]string{"courtesy.yaml:11: redis.db: a Redis Cluster has only database 0"}},
		{"a negative database number", "redis:\n  db: -1\n  sentinel: { master: m, addrs: [\"h:26379\"] }\n",
			[]string{"courtesy.yaml:11: redis.db: -1 is not a database number"}},
		{"a Sentinel user without Sentinels", "redis:\n  sentinel:\n    username: watcher\n",
			[]string{"courtesy.yaml:12: redis.sentinel.username: is for the Sentinels, and redis.sentinel names none"}},
		{"tls is a yes or no", "redis:\n  tls: maybe\n", []string{"courtesy.yaml:11: redis.tls: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("courtesy.yaml", []byte(minimal+tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
