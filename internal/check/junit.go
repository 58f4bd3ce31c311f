package check

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// JUnit XML (the schema CI systems read: testsuites > testsuite >
// testcase, with failure and skipped children).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit renders reports as a JUnit XML document: one testsuite named after
// the issuer, one testcase per check (name: the ID; classname:
// oauthkit.check.GROUP), a failure with the reason and the evidence, a
// skipped with the reason, a SHOULD warning in system-out.
func JUnit(issuer string, reports []Report) ([]byte, error) {
	pass, fail, skip := Count(reports)
	_ = pass
	s := junitSuite{Name: "oauthkit check " + issuer, Tests: len(reports), Failures: fail, Skipped: skip, Time: "0"}
	for _, r := range reports {
		c := junitCase{Name: r.ID, Classname: "oauthkit.check." + r.Group, Time: "0"}
		header := fmt.Sprintf("%s (%s %s)", r.Title, r.Level, r.Ref)
		switch r.Result {
		case Fail:
			c.Failure = &junitFailure{Message: r.Reason, Type: string(r.Level), Text: header + "\n" + r.Reason + "\n\n" + r.Evidence}
		case Skip:
			c.Skipped = &junitSkipped{Message: r.Reason}
		}
		if r.Warning != "" {
			c.SystemOut = header + "\nwarning (SHOULD not met): " + r.Warning + "\n\n" + r.Evidence
		}
		s.Cases = append(s.Cases, c)
	}
	doc := junitSuites{Name: "oauthkit check", Tests: len(reports), Failures: fail, Skipped: skip, Suites: []junitSuite{s}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	b.Write(out)
	b.WriteString("\n")
	return []byte(b.String()), nil
}
