package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFrom(t *testing.T) {
	// By how the binary was built.
	tests := map[string]struct {
		bi   *debug.BuildInfo
		want string
	}{
		"release from the module proxy": {
			bi: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/dalil-news/dalil", Version: "v1.2.0"},
				Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}}},
			want: "dalil v1.2.0 (github.com/dalil-news/dalil)\nrevision unknown\ngo1.26.0 linux/amd64\n",
		},
		"build from a modified checkout": {
			bi: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/dalil-news/dalil", Version: "(devel)"},
				Settings: []debug.BuildSetting{
					{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
					{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "f9e5e00d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69"},
					{Key: "vcs.time", Value: "2026-12-05T01:59:17Z"}, {Key: "vcs.modified", Value: "true"},
				}},
			want: "dalil (devel) (github.com/dalil-news/dalil)\nrevision f9e5e00d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69 (2026-12-05T01:59:17Z, modified)\ngo1.26.0 linux/arm64\n",
		},
		"no build information": {
			bi:   nil,
			want: "dalil unknown\nrevision unknown\n" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, From(tt.bi).String()); diff != "" {
				t.Errorf("From(…).String() (-want +got):\n%s", diff)
			}
		})
	}
}
