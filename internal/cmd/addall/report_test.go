package addall

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/addall"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Riverside Tower":    "Riverside Tower",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"+1":                 "'+1",
		"-2":                 "'-2",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tTabbed":           "'\tTabbed",
		"":                   "",
		"a=b is not leading": "a=b is not leading",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
	var b bytes.Buffer
	rep := &addall.Report{Results: []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 7, Name: "=cmd|' /C calc'!A0"}, Outcome: addall.OutcomeFailed, Reason: "403, \"App is not connected\""},
	}}
	want := "project_id,project,outcome,reason\n7,'=cmd|' /C calc'!A0,failed,\"403, \"\"App is not connected\"\"\"\n"
	if err := writeCSV(&b, rep); err != nil || b.String() != want {
		t.Fatalf("writeCSV: %v\ngot  %q\nwant %q", err, b.String(), want)
	}
}

func TestCSVPending(t *testing.T) {
	rep := &addall.Report{
		Results: []addall.ProjectResult{{ProjectRef: addall.ProjectRef{ID: 1, Name: "A"}, Outcome: addall.OutcomeAdded}},
		Pending: []addall.ProjectRef{{ID: 2, Name: "B"}},
	}
	var b bytes.Buffer
	if err := writeCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "project_id,project,outcome,reason\n1,A,added,\n2,B,pending,not done yet: the run stopped first; resume it\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

// TestReportReplacesAnExistingFile: a report written over an existing file
// is a new file (create, then rename): 0600 whatever the old mode, and a
// second link to the old file keeps the old contents, so a planted hard
// link cannot make the report overwrite someone else's file.
func TestReportReplacesAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wide.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "someone-elses")
	if err := os.Link(path, other); err != nil {
		t.Fatal(err)
	}
	if err := writeReportCSV(path, &addall.Report{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("report mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(other); string(b) != "old\n" {
		t.Errorf("the other link now holds %q: the report was written into the old file", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(m) != 0 {
		t.Errorf("left behind: %v", m)
	}
}

// TestReportRefusesALink: a link at the --report path is refused, even
// one pointing at a file the person could write, and what it points at is
// neither truncated nor chmodded.
func TestReportRefusesALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	err := writeReportCSV(link, &addall.Report{})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), link) {
		t.Fatalf("got %v; want a refusal naming the link", err)
	}
	fi, _ := os.Stat(target)
	if b, _ := os.ReadFile(target); string(b) != "keep me\n" || fi.Mode().Perm() != 0o644 {
		t.Errorf("the link's target became %q, mode %v", b, fi.Mode().Perm())
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced rather than refused")
	}
}
