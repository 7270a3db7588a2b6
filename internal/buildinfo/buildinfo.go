// Package buildinfo describes the running binary from the build
// information the Go toolchain embeds in it: the main module's path and
// version, the version control revision it was built from, and the Go
// version.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is what a binary knows of its own build. Empty fields are unknown.
type Info struct {
	Module    string // main module path
	Version   string // module version, "(devel)" for a build from a checkout
	Revision  string // VCS revision
	Time      string // commit time of Revision, RFC 3339
	Modified  bool   // the work tree had uncommitted changes
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// Read returns the Info of the running binary.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(bi)
}

// From returns the Info in bi; for a nil bi, only the Go version and the
// platform, from the runtime.
func From(bi *debug.BuildInfo) Info {
	if bi == nil {
		return Info{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	}
	info := Info{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if info.Module == "" { // a test binary has no main module: its package
		info.Module = bi.Path
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		info.Platform = goos + "/" + goarch
	}
	return info
}

// String renders the Info in three lines, for `dalil version`:
//
//	dalil (devel) (github.com/dalil-news/dalil)
//	revision f9e5e00… (2026-12-05T01:59:17Z, modified)
//	go1.26.0 linux/amd64
func (i Info) String() string {
	var b strings.Builder
	b.WriteString("dalil " + orUnknown(i.Version))
	if i.Module != "" {
		b.WriteString(" (" + i.Module + ")")
	}
	b.WriteString("\nrevision " + orUnknown(i.Revision))
	var notes []string
	if i.Time != "" {
		notes = append(notes, i.Time)
	}
	if i.Modified {
		notes = append(notes, "modified")
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
	}
	b.WriteString("\n" + strings.TrimSpace(orUnknown(i.GoVersion)+" "+i.Platform) + "\n")
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
