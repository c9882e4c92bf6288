package e2e

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// overstrikeRE is a character struck over, as man draws bold.
var overstrikeRE = regexp.MustCompile(".\b")

// distDir is where 'goreleaser release --snapshot' leaves the release.
const distDir = "../dist"

// artifact is an entry of the release's artifacts.json.
type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

// releaseArtifacts reads the snapshot's artifacts. It skips the test where
// no snapshot was built, except in CI, where scripts/test builds one first.
func releaseArtifacts(t *testing.T) []artifact {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(distDir, "artifacts.json"))
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("PROCORE_SA_TEST_CI") != "" {
			t.Fatalf("no snapshot release in dist/ (%v): scripts/test builds it before the tests", err)
		}
		t.Skip("no snapshot release in dist/: run ./scripts/test, or goreleaser release --snapshot --clean --skip=publish")
	}
	var all []artifact
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatalf("artifacts.json: %v", err)
	}
	for i := range all { // paths are the repository root's
		all[i].Path = filepath.Join("..", all[i].Path)
	}
	return all
}

func ofType(all []artifact, typ string) []artifact {
	var out []artifact
	for _, a := range all {
		if a.Type == typ {
			out = append(out, a)
		}
	}
	return out
}

// commandPages is the man page of every command (not the help topics nor
// the hidden ones), as gen-docs names them.
var commandPages = []string{"procore-sa.1", "procore-sa-add-all.1", "procore-sa-doctor.1", "procore-sa-guides.1",
	"procore-sa-guides-show.1", "procore-sa-guides-validate.1", "procore-sa-login.1", "procore-sa-password.1",
	"procore-sa-password-check.1", "procore-sa-password-generate.1", "procore-sa-secret.1", "procore-sa-secret-delete.1",
	"procore-sa-secret-export.1", "procore-sa-secret-list.1", "procore-sa-sim.1", "procore-sa-status.1",
	"procore-sa-verify.1", "procore-sa-version.1", "procore-sa-completion.1"}

// TestReleaseArchives lists every archive of the snapshot: one for each of
// the six targets, each with the binary, LICENSE, README.md, the four
// completion scripts and every man page; the checksums match.
func TestReleaseArchives(t *testing.T) {
	all := releaseArtifacts(t)
	archives := ofType(all, "Archive")
	var targets []string
	for _, a := range archives {
		targets = append(targets, a.Goos+"/"+a.Goarch)
	}
	slices.Sort(targets)
	if want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}; !slices.Equal(targets, want) {
		t.Fatalf("archives for %v, want %v", targets, want)
	}
	sums := checksums(t)
	for _, a := range archives {
		files := archiveFiles(t, a)
		bin := "procore-sa"
		if a.Goos == "windows" {
			bin = "procore-sa.exe"
		}
		want := []string{bin, "LICENSE", "README.md", "completions/procore-sa.bash", "completions/_procore-sa",
			"completions/procore-sa.fish", "completions/procore-sa.ps1"}
		for _, p := range commandPages {
			want = append(want, "man/"+p)
		}
		for _, w := range want {
			if _, ok := files[w]; !ok {
				t.Errorf("%s lacks %s; it holds %v", a.Name, w, keys(files))
			}
		}
		if a.Goos != "windows" && files[bin]&0o111 == 0 {
			t.Errorf("%s: %s is not executable (%v)", a.Name, bin, files[bin])
		}
		if sums[a.Name] != fileSHA256(t, a.Path) {
			t.Errorf("checksums.txt has %q for %s", sums[a.Name], a.Name)
		}
	}
}

// TestReleaseBinaryAndManPage unpacks this machine's archive: its binary's
// --version names the snapshot's version (stamped by ldflags) and equals
// its version command, and 'man ./procore-sa.1' renders the page with its
// environment and exit status.
func TestReleaseBinaryAndManPage(t *testing.T) {
	all := releaseArtifacts(t)
	var meta struct {
		Version string `json:"version"`
	}
	raw, err := os.ReadFile(filepath.Join(distDir, "metadata.json"))
	if err != nil || json.Unmarshal(raw, &meta) != nil || meta.Version == "" {
		t.Fatalf("metadata.json: %v %s", err, raw)
	}
	var here *artifact
	for _, a := range ofType(all, "Archive") {
		if a.Goos == runtime.GOOS && a.Goarch == runtime.GOARCH {
			here = &a
		}
	}
	if here == nil || !strings.HasSuffix(here.Name, ".tar.gz") {
		t.Skipf("no tar.gz archive for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir := t.TempDir()
	untar(t, here.Path, dir)
	flag, err := exec.Command(filepath.Join(dir, "procore-sa"), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := exec.Command(filepath.Join(dir, "procore-sa"), "version").Output()
	if err != nil || !bytes.Equal(flag, cmd) {
		t.Errorf("--version %q, version %q (%v)", flag, cmd, err)
	}
	if !strings.HasPrefix(string(flag), "procore-sa "+meta.Version+" (commit ") {
		t.Errorf("--version %q does not name the release %s", flag, meta.Version)
	}

	tool(t, "man", "--version")
	man := exec.Command("man", "--warnings", "./procore-sa.1")
	man.Dir = filepath.Join(dir, "man")
	man.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
	var out, errb bytes.Buffer
	man.Stdout, man.Stderr = &out, &errb
	if err := man.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("man ./procore-sa.1: %v\n%s", err, errb.String())
	}
	text := overstrikeRE.ReplaceAllString(out.String(), "")
	for _, want := range []string{"PROCORE-SA(1)", "NAME", "procore-sa - Set up the account", "ENVIRONMENT", "PROCORE_CLIENT_SECRET",
		"EXIT STATUS", "130", "procore-sa " + strings.TrimPrefix(meta.Version, "v")} {
		if !strings.Contains(text, want) {
			t.Errorf("man ./procore-sa.1 lacks %q:\n%s", want, text)
		}
	}
}

// TestReleasePackages lists the .deb and .rpm packages with the packaging
// tools themselves: the binary, the licence, the README, the completions
// where bash, zsh and fish look for them, and every man page, gzipped.
func TestReleasePackages(t *testing.T) {
	all := releaseArtifacts(t)
	pkgs := ofType(all, "Linux Package")
	var names []string
	for _, p := range pkgs {
		names = append(names, filepath.Ext(p.Name)+" "+p.Goarch)
	}
	slices.Sort(names)
	if want := []string{".deb amd64", ".deb arm64", ".rpm amd64", ".rpm arm64"}; !slices.Equal(names, want) {
		t.Fatalf("packages %v, want %v", names, want)
	}
	sums := checksums(t)
	common := []string{"/usr/bin/procore-sa", "/usr/share/doc/procore-sa/README.md",
		"/usr/share/bash-completion/completions/procore-sa", "/usr/share/fish/vendor_completions.d/procore-sa.fish"}
	for _, p := range commandPages {
		common = append(common, "/usr/share/man/man1/"+p+".gz")
	}
	for _, p := range pkgs {
		var list []string
		var want []string
		switch filepath.Ext(p.Name) {
		case ".deb":
			out := tool(t, "dpkg-deb", "--contents", p.Path)
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Fields(line)
				list = append(list, strings.TrimPrefix(f[len(f)-1], "."))
			}
			want = append(slices.Clone(common), "/usr/share/doc/procore-sa/copyright", "/usr/share/zsh/vendor-completions/_procore-sa")
			if got := strings.TrimSpace(tool(t, "dpkg-deb", "--field", p.Path, "Package")); got != "procore-sa" {
				t.Errorf("%s: Package %q", p.Name, got)
			}
		case ".rpm":
			list = strings.Split(strings.TrimSpace(tool(t, "rpm", "-qlp", p.Path)), "\n")
			want = append(slices.Clone(common), "/usr/share/licenses/procore-sa/LICENSE", "/usr/share/zsh/site-functions/_procore-sa")
			if got := tool(t, "rpm", "-qp", "--queryformat", "%{LICENSE}", p.Path); got != "Apache-2.0" {
				t.Errorf("%s: licence %q", p.Name, got)
			}
		}
		for _, w := range want {
			if !slices.Contains(list, w) {
				t.Errorf("%s lacks %s; it holds %v", p.Name, w, list)
			}
		}
		if sums[p.Name] != fileSHA256(t, p.Path) {
			t.Errorf("checksums.txt has %q for %s", sums[p.Name], p.Name)
		}
	}
}

// TestReleaseManifests: the SBOMs (one for each archive and package), the
// Homebrew cask and the Scoop manifest are made, and name the archives by
// their checksums; a snapshot publishes none of them.
func TestReleaseManifests(t *testing.T) {
	all := releaseArtifacts(t)
	sums := checksums(t)
	sboms := map[string]bool{}
	for _, s := range ofType(all, "SBOM") {
		var doc struct {
			SPDXVersion string `json:"spdxVersion"`
		}
		raw, err := os.ReadFile(s.Path)
		if err != nil || json.Unmarshal(raw, &doc) != nil || !strings.HasPrefix(doc.SPDXVersion, "SPDX-") {
			t.Errorf("%s is not an SPDX document: %v", s.Name, err)
		}
		sboms[strings.TrimSuffix(s.Name, ".sbom.json")] = true
	}
	for _, a := range append(ofType(all, "Archive"), ofType(all, "Linux Package")...) {
		if !sboms[a.Name] {
			t.Errorf("no SBOM for %s", a.Name)
		}
	}
	cask, err := os.ReadFile(filepath.Join(distDir, "homebrew", "Casks", "procore-sa.rb"))
	if err != nil {
		t.Fatal(err)
	}
	scoop, err := os.ReadFile(filepath.Join(distDir, "scoop", "procore-sa.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ofType(all, "Archive") {
		switch a.Goos {
		case "darwin":
			if !strings.Contains(string(cask), sums[a.Name]) {
				t.Errorf("the cask lacks %s's checksum", a.Name)
			}
		case "windows":
			if !strings.Contains(string(scoop), sums[a.Name]) || !strings.Contains(string(scoop), a.Name) {
				t.Errorf("the Scoop manifest lacks %s", a.Name)
			}
		}
	}
	for _, want := range []string{`binary "procore-sa"`, `manpage "man/procore-sa.1"`, `bash_completion "completions/procore-sa.bash"`,
		`zsh_completion "completions/_procore-sa"`, `fish_completion "completions/procore-sa.fish"`} {
		if !strings.Contains(string(cask), want) {
			t.Errorf("the cask lacks %s", want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// archiveFiles lists an archive's regular files with their modes.
func archiveFiles(t *testing.T, a artifact) map[string]os.FileMode {
	t.Helper()
	files := map[string]os.FileMode{}
	if strings.HasSuffix(a.Name, ".zip") {
		zr, err := zip.OpenReader(a.Path)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			files[f.Name] = f.Mode()
		}
		return files
	}
	f, err := os.Open(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", a.Name, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			files[h.Name] = h.FileInfo().Mode()
		}
	}
}

func untar(t *testing.T, path, dir string) {
	t.Helper()
	if out, err := exec.Command("tar", "-xzf", path, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("untar %s: %v\n%s", path, err, out)
	}
}

// checksums is checksums.txt: file name to SHA-256.
func checksums(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(distDir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			sums[f[1]] = f[0]
		}
	}
	return sums
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tool runs a packaging tool, which must be there (scripts/test installs
// rpm; dpkg-deb comes with Debian).
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("PROCORE_SA_TEST_CI") != "" {
			t.Fatalf("%s is required to read the packages in CI (scripts/test installs it)", name)
		}
		t.Skipf("%s is not installed; ./scripts/test installs it", name)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}
