package web

import "testing"

func TestSecretsMatch(t *testing.T) {
	none := newSecrets("")
	if none.match("") || none.match("anything") {
		t.Error("no secret configured, and something matched")
	}
	keys := apiKeys([]string{" k1 ", "k2", ""})
	for _, tt := range []struct {
		got  string
		want bool
	}{{"k1", true}, {"k2", true}, {" k1 ", false}, {"k3", false}, {"", false}} {
		if keys.match(tt.got) != tt.want {
			t.Errorf("match(%q) = %v, want %v", tt.got, !tt.want, tt.want)
		}
	}
}
