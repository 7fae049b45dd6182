package shop

import (
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

func TestTheBakeryLoadsWhole(t *testing.T) {
	s := Load(testenv.Bakery(t, nil))
	if s.Diagnostics.HasErrors() {
		t.Fatalf("errors:\n%v", s.Diagnostics)
	}
	if s.Config == nil || len(s.Campaigns) == 0 || len(s.Tone) == 0 {
		t.Fatalf("loaded config %v, %d campaigns, %d tone profiles", s.Config != nil, len(s.Campaigns), len(s.Tone))
	}
}

// A config too broken to read stops the load, named by file and line.
func TestABrokenConfigStopsTheLoad(t *testing.T) {
	s := Load(testenv.Bakery(t, map[string]string{"courtesy.yaml": "business: [\n"}))
	if s.Config != nil || s.Campaigns != nil {
		t.Errorf("a config that does not parse was loaded")
	}
	if !s.Diagnostics.HasErrors() || !strings.Contains(s.Diagnostics.Error(), "courtesy.yaml:") {
		t.Errorf("diagnostics do not name the file: %v", s.Diagnostics)
	}
}

// A broken campaign is reported and the others load beside it.
func TestABrokenCampaignLeavesTheOthers(t *testing.T) {
	whole := len(Load(testenv.Bakery(t, nil)).Campaigns)
	s := Load(testenv.Bakery(t, map[string]string{"campaigns/broken.yaml": "id: broken\nkind: birthday\nsend: { at: \"25:00\" }\n"}))
	if got := s.Diagnostics.Error(); !strings.Contains(got, "campaigns/broken.yaml:3:") || !strings.Contains(got, "send.at") {
		t.Errorf("diagnostics do not name campaigns/broken.yaml:3 and send.at:\n%s", got)
	}
	n := 0
	for _, c := range s.Campaigns {
		if c.ID != "broken" {
			n++
		}
	}
	if n != whole {
		t.Errorf("%d good campaigns loaded beside the broken one, want %d", n, whole)
	}
}
