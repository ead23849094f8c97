package record

import (
	"path"
	"sort"
	"strings"

	"github.com/sysgate/sysgate/policy"
)

// groupMin is how many paths a directory needs for its paths to be written
// as one pattern ("dir/*"), and how many subdirectories for "dir/**".
const groupMin = 4

// pathGroup is one entry of a program's written paths.
type pathGroup struct {
	pattern string
	runs    int
	paths   int
}

// groupPaths turns written paths into patterns a reviewer can read: the
// files of a directory with at least groupMin of them become "dir/*", and a
// directory with at least groupMin subdirectories so grouped becomes
// "dir/**". Other paths stay exact, and so do the files directly in /,
// /etc, /usr and the other system directories.
func groupPaths(written map[string]*counter) []pathGroup {
	groups := map[string][]string{} // pattern → the paths it stands for
	starDirs := map[string][]string{}
	for dir, paths := range byDirectory(written) {
		if len(paths) >= groupMin && dir != "/" && dir != "." && !systemDir(dir) {
			starDirs[dir] = paths
			continue
		}
		for _, p := range paths {
			pat := policy.PathPattern(p)
			groups[pat] = append(groups[pat], p)
		}
	}
	for parent, dirs := range deepParents(starDirs) {
		deep := dirPattern(parent, "**")
		for _, d := range dirs {
			groups[deep] = append(groups[deep], starDirs[d]...)
			delete(starDirs, d)
		}
	}
	for dir, paths := range starDirs {
		groups[dirPattern(dir, "*")] = paths
	}
	return summarize(groups, written)
}

// byDirectory groups paths by their directory ("." for a relative name).
func byDirectory(written map[string]*counter) map[string][]string {
	out := map[string][]string{}
	for p := range written {
		dir := path.Dir(p)
		if !strings.HasPrefix(p, "/") {
			dir = "." // relative paths are never grouped
		}
		out[dir] = append(out[dir], p)
	}
	return out
}

// deepParents are the directories (neither "/" nor a system directory) with
// at least groupMin grouped subdirectories, with those subdirectories.
func deepParents(starDirs map[string][]string) map[string][]string {
	byParent := map[string][]string{}
	for dir := range starDirs {
		if parent := path.Dir(dir); parent != "/" && !systemDir(parent) {
			byParent[parent] = append(byParent[parent], dir)
		}
	}
	for parent, dirs := range byParent {
		if len(dirs) < groupMin {
			delete(byParent, parent)
		}
	}
	return byParent
}

// dirPattern is the pattern of a directory's files ("*") or tree ("**").
func dirPattern(dir, glob string) string {
	return policy.PathPattern(dir) + "/" + glob
}

// systemDir: never "/etc/*" and the like from a few of their files.
func systemDir(dir string) bool {
	switch dir {
	case "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys", "/dev", "/root", "/home", "/var", "/opt", "/srv":
		return true
	}
	return false
}

func summarize(groups map[string][]string, written map[string]*counter) []pathGroup {
	out := make([]pathGroup, 0, len(groups))
	for pat, paths := range groups {
		cs := make([]*counter, len(paths))
		for i, p := range paths {
			cs[i] = written[p]
		}
		out = append(out, pathGroup{pattern: pat, runs: union(cs...), paths: len(paths)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pattern < out[j].pattern })
	return out
}
