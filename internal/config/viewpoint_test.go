package config_test

import (
	"strings"
	"testing"
)

func TestViewpointScale(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Scale.Steps, ","); got != "left,centre-left,centre,centre-right,right" || c.Scale.Name != "" {
		t.Errorf("default scale %q named %q", got, c.Scale.Name)
	}
	c, err = load(t, map[string]string{"SPEKTRUM_VIEWPOINT_SCALE": "Government, Opposition", "SPEKTRUM_VIEWPOINT_SCALE_NAME": "Regierung–Opposition"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Scale.Steps, ","); got != "government,opposition" || c.Scale.Name != "Regierung–Opposition" {
		t.Errorf("scale from the environment: %q named %q", got, c.Scale.Name)
	}
	_, err = load(t, nil, "--viewpoint-scale", "left,,right")
	if err == nil || !strings.Contains(err.Error(), "--viewpoint-scale") || !strings.Contains(err.Error(), "empty step") {
		t.Errorf("bad scale: %v", err)
	}
}
