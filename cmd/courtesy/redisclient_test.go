package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/config"
)

// startRedisServer runs a redis-server of its own on a free loopback port
// with args, for as long as the test, and returns its port. Without
// redis-server the test is skipped, except in CI, where it fails.
func startRedisServer(t *testing.T, args ...string) string {
	t.Helper()
	return startRedis(t, "", args...)
}

// startRedis is startRedisServer with a configuration file first, conf
// with PORT for the port, as a Sentinel needs one.
func startRedis(t *testing.T, conf string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed in CI (apt-get install -y redis-server)")
		}
		t.Skip("redis-server not found; install it (apt-get install -y redis-server) to run this test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PORT", port)
	}
	dir := t.TempDir()
	base := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}
	if conf != "" {
		path := filepath.Join(dir, "redis.conf")
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(conf, "PORT", port)), 0o600); err != nil {
			t.Fatal(err)
		}
		base = []string{path}
	}
	cmd := exec.Command(bin, append(base, args...)...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			_ = c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start on %s:\n%s", port, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisConfig is a minimal shop's configuration with the Redis section
// yaml and the environment env.
func redisConfig(t *testing.T, dir, yaml string, env map[string]string) *config.Config {
	t.Helper()
	path := filepath.Join(dir, "courtesy.yaml")
	text := "business:\n  name: Crumb\n  postal_address: 1 Mill Lane\n  from: hello@crumb.example\n  base_url: https://crumb.example\n" +
		"purposes:\n  birthday: { title: Birthday treats }\n" + yaml
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// pingRedis connects as the commands do and says what went wrong: the
// error with its hint, or "" when Redis answered.
func pingRedis(t *testing.T, cfg *config.Config) string {
	t.Helper()
	rdb, _, err := redisClient(cfg)
	if err != nil {
		return err.Error()
	}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Set(ctx, "courtesy-test", "yes", time.Minute).Err(); err != nil {
		return err.Error() + " (" + redisHint(cfg, err) + ")"
	}
	return ""
}

// TestRedisPasswordFromTheEnvironment: against a Redis that asks for a
// password, courtesy connects with COURTESY_REDIS_PASSWORD (and an ACL user
// named in the config), or with the password in REDIS_URL, and when the
// password is missing or wrong it says which variable to look at.
func TestRedisPasswordFromTheEnvironment(t *testing.T) {
	const pass, alicePass = "default-password-0123", "alice-password-0123"
	port := startRedisServer(t, "--port", "PORT", "--requirepass", pass, "--user", "alice", "on", ">"+alicePass, "~*", "&*", "+@all")
	url := "redis://127.0.0.1:" + port + "/0"
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       string // in the error; "" when it connects
	}{
		{"the password from the environment", "", map[string]string{"REDIS_URL": url, config.EnvRedisPassword: pass}, ""},
		{"the password in REDIS_URL", "", map[string]string{"REDIS_URL": "redis://:" + pass + "@127.0.0.1:" + port + "/0"}, ""},
		{"an ACL user", "redis:\n  username: alice\n", map[string]string{"REDIS_URL": url, config.EnvRedisPassword: alicePass}, ""},
		{"no password", "", map[string]string{"REDIS_URL": url},
			"Redis asks for a password and none was given: set COURTESY_REDIS_PASSWORD"},
		{"a wrong password", "", map[string]string{"REDIS_URL": url, config.EnvRedisPassword: "not-the-password-01"},
			"the user name or password was refused: check COURTESY_REDIS_PASSWORD"},
		{"a user with the default's password", "redis:\n  username: alice\n", map[string]string{"REDIS_URL": url, config.EnvRedisPassword: pass},
			"the user name or password was refused"},
		{"two passwords", "", map[string]string{"REDIS_URL": "redis://:" + pass + "@127.0.0.1:" + port + "/0", config.EnvRedisPassword: alicePass},
			"REDIS_URL holds one password and COURTESY_REDIS_PASSWORD another: give it once"},
		{"a Sentinel password without Sentinels", "", map[string]string{"REDIS_URL": url, config.EnvRedisPassword: pass, config.EnvRedisSentinelPassword: pass},
			"COURTESY_REDIS_SENTINEL_PASSWORD is set, but redis.sentinel in the config names no Sentinels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pingRedis(t, redisConfig(t, t.TempDir(), tt.yaml, tt.env))
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, secret := range []string{pass, alicePass} {
				if strings.Contains(got, secret) {
					t.Errorf("the error repeats a password: %s", got)
				}
			}
		})
	}

	// The command says the same at startup.
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	env["REDIS_URL"] = url
	if r := runCmd(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z"); r.code == 0 || !strings.Contains(r.err, "set COURTESY_REDIS_PASSWORD") {
		t.Errorf("run-once without the password: exit %d\n%s", r.code, r.err)
	}
	env[config.EnvRedisPassword] = pass
	mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")
}

// TestRedisOverTLS: redis.tls with redis.tls_ca_file reaches a Redis that
// speaks TLS only, as does a rediss:// URL; without the CA, or without
// TLS, the error says which setting to look at.
func TestRedisOverTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, certFile, keyFile := writeTestCA(t, dir)
	const pass = "tls-password-0123456"
	port := startRedisServer(t, "--port", "0", "--tls-port", "PORT", "--tls-cert-file", certFile, "--tls-key-file", keyFile,
		"--tls-ca-cert-file", caFile, "--tls-auth-clients", "no", "--requirepass", pass)
	url := "redis://127.0.0.1:" + port + "/0"
	env := map[string]string{"REDIS_URL": url, config.EnvRedisPassword: pass}
	tests := []struct {
		name, yaml, url string
		want            string
	}{
		{"redis.tls with the CA", "redis:\n  tls: true\n  tls_ca_file: ca.pem\n", url, ""},
		{"rediss:// with the CA", "redis:\n  tls_ca_file: " + caFile + "\n", "rediss://127.0.0.1:" + port + "/0", ""},
		{"without the CA", "redis:\n  tls: true\n", url, "set redis.tls_ca_file to the CA that signed it"},
		{"without TLS", "", url, "if it takes TLS only, set redis.tls: true"},
		{"a CA file that is not one", "redis:\n  tls_ca_file: courtesy.yaml\n", url, "redis.tls_ca_file: courtesy.yaml holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			if err := os.WriteFile(filepath.Join(d, "ca.pem"), mustReadBytes(t, caFile), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"REDIS_URL": tt.url, config.EnvRedisPassword: env[config.EnvRedisPassword]}
			got := pingRedis(t, redisConfig(t, d, tt.yaml, env))
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func mustReadBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeTestCA writes a certificate authority and a certificate it signed
// for 127.0.0.1, as PEM files in dir.
func writeTestCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "courtesy test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, kind string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", der), write("server.key", "EC PRIVATE KEY", keyDER)
}

// TestRedisSentinelPasswordsAndDatabase: under a Sentinel that asks for
// its own password, in front of a primary with another, courtesy reaches
// the primary with COURTESY_REDIS_SENTINEL_PASSWORD and
// COURTESY_REDIS_PASSWORD, in the database redis.db names; without the
// Sentinels' password the error names it.
func TestRedisSentinelPasswordsAndDatabase(t *testing.T) {
	const pass, sentinelPass = "primary-password-0123", "sentinel-password-0123"
	primary := startRedisServer(t, "--port", "PORT", "--requirepass", pass)
	sentinel := startRedis(t, "port PORT\nbind 127.0.0.1\nsentinel monitor courtesy-t 127.0.0.1 "+primary+" 1\n"+
		"sentinel auth-pass courtesy-t "+pass+"\nrequirepass "+sentinelPass+"\n", "--sentinel")
	yaml := "redis:\n  db: 3\n  sentinel:\n    master: courtesy-t\n    addrs: [\"127.0.0.1:" + sentinel + "\"]\n"
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both passwords", map[string]string{config.EnvRedisPassword: pass, config.EnvRedisSentinelPassword: sentinelPass}, ""},
		{"without the Sentinels' password", map[string]string{config.EnvRedisPassword: pass},
			"the Sentinels ask for a password and none was given: set COURTESY_REDIS_SENTINEL_PASSWORD"},
		{"a wrong Sentinels' password", map[string]string{config.EnvRedisPassword: pass, config.EnvRedisSentinelPassword: "not-the-password-01"},
			"the Sentinels refused the user name or password: check COURTESY_REDIS_SENTINEL_PASSWORD"},
		{"without the primary's password", map[string]string{config.EnvRedisSentinelPassword: sentinelPass},
			"Redis asks for a password and none was given: set COURTESY_REDIS_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pingRedis(t, redisConfig(t, t.TempDir(), yaml, tt.env))
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// The key went to database 3 of the primary.
	direct := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + primary, Password: pass, DB: 3})
	defer direct.Close()
	if v, err := direct.Get(context.Background(), "courtesy-test").Result(); err != nil || v != "yes" {
		t.Errorf("database 3 of the primary holds %q, %v; want the test's key", v, err)
	}
}
