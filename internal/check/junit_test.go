package check_test

import (
	"encoding/xml"
	"strconv"
	"testing"

	"github.com/oauthkit/oauthkit/internal/check"
)

// The JUnit schema's required parts, read back with a parser of its own:
// testsuite name/tests/failures/skipped, testcase name/classname, a
// failure with a message, a skipped with a message.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     *string `xml:"name,attr"`
		Tests    *string `xml:"tests,attr"`
		Failures *string `xml:"failures,attr"`
		Errors   *string `xml:"errors,attr"`
		Skipped  *string `xml:"skipped,attr"`
		Cases    []struct {
			Name      *string `xml:"name,attr"`
			Classname *string `xml:"classname,attr"`
			Failure   *struct {
				Message *string `xml:"message,attr"`
				Text    string  `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message *string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitRequiredElements(t *testing.T) {
	s := startServer(t, noRotation())
	reports := runAll(t, s.config())
	data, err := check.JUnit(s.issuer, reports)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuite elements, want 1", len(doc.Suites))
	}
	su := doc.Suites[0]
	attr := func(name string, p *string) string {
		if p == nil {
			t.Fatalf("testsuite has no %s attribute", name)
		}
		return *p
	}
	_, fail, skip := check.Count(reports)
	if fail != 1 || skip == 0 {
		t.Fatalf("the run has %d failures and %d skips, want 1 and some", fail, skip)
	}
	if got := attr("name", su.Name); got != "oauthkit check "+s.issuer {
		t.Errorf("testsuite name %q", got)
	}
	for _, a := range []struct {
		name string
		p    *string
		want int
	}{{"tests", su.Tests, len(reports)}, {"failures", su.Failures, fail}, {"errors", su.Errors, 0}, {"skipped", su.Skipped, skip}} {
		if got := attr(a.name, a.p); got != strconv.Itoa(a.want) {
			t.Errorf("testsuite %s=%q, want %d", a.name, got, a.want)
		}
	}
	if len(su.Cases) != len(reports) {
		t.Fatalf("%d testcases for %d checks", len(su.Cases), len(reports))
	}
	var failures, skips int
	for i, c := range su.Cases {
		r := reports[i]
		if c.Name == nil || *c.Name != r.ID || c.Classname == nil || *c.Classname != "oauthkit.check."+r.Group {
			t.Errorf("testcase %d: name %v classname %v, want %s and oauthkit.check.%s", i, c.Name, c.Classname, r.ID, r.Group)
		}
		if c.Failure != nil {
			failures++
			if c.Failure.Message == nil || *c.Failure.Message != r.Reason || r.Result != check.Fail {
				t.Errorf("%s: failure %+v for result %s %q", r.ID, c.Failure, r.Result, r.Reason)
			}
		}
		if c.Skipped != nil {
			skips++
			if c.Skipped.Message == nil || *c.Skipped.Message == "" || r.Result != check.Skip {
				t.Errorf("%s: skipped without a message, or for result %s", r.ID, r.Result)
			}
		}
	}
	if failures != fail || skips != skip {
		t.Errorf("%d failure and %d skipped elements, want %d and %d", failures, skips, fail, skip)
	}
}
