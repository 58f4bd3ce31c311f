package postgres_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

// Environment of a child process of TestRule63_OneWinnerAcrossProcesses.
const (
	childDSNEnv      = "OAUTHKIT_PG_TEST_CHILD_DSN"
	childIndexEnv    = "OAUTHKIT_PG_TEST_CHILD_INDEX"
	childRacersEnv   = "OAUTHKIT_PG_TEST_CHILD_RACERS"
	processes        = 3
	resultLinePrefix = "RACE-RESULT "
)

// TestRule63_OneWinnerAcrossProcesses (docs/security.md rule 63): three
// processes started together open one empty database (each migration is
// applied once, all succeed), then, released together, race 50 goroutines
// between them for
// one code, one refresh token and one replay key: exactly one redemption,
// one rotation and one use succeed in all.
func TestRule63_OneWinnerAcrossProcesses(t *testing.T) {
	if os.Getenv(childDSNEnv) != "" {
		raceChild(t)
		return
	}
	_, dsn := pgtest.Database(t)
	exe, err := os.Executable()
	must(t, err)

	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
		lines []string
	}
	children := make([]*child, processes)
	for i := range children {
		share := racers / processes
		if i < racers%processes {
			share++
		}
		cmd := exec.Command(exe, "-test.run=^TestRule63_OneWinnerAcrossProcesses$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), childDSNEnv+"="+dsn, childIndexEnv+"="+strconv.Itoa(i), childRacersEnv+"="+strconv.Itoa(share))
		stdin, err := cmd.StdinPipe()
		must(t, err)
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		cmd.Stderr = cmd.Stdout
		must(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		children[i] = &child{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	}
	// Each child says "opened" once its store is open (migrated).
	for i, c := range children {
		for c.out.Scan() {
			line := c.out.Text()
			c.lines = append(c.lines, line)
			if line == resultLinePrefix+"opened" {
				break
			}
		}
		if len(c.lines) == 0 || c.lines[len(c.lines)-1] != resultLinePrefix+"opened" {
			t.Fatalf("child %d did not open the store:\n%s", i, strings.Join(c.lines, "\n"))
		}
	}
	var versions int
	must(t, adminConn(t, dsn).QueryRow(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&versions))
	if versions != 6 {
		t.Fatalf("schema_migrations has %d rows, want 6 (each migration once)", versions)
	}

	db := open(t, dsn)
	ctx := t.Context()
	must(t, db.Codes().Create(ctx, store.Code{Hash: "sha256:code", ClientID: "web", Subject: "sub", ExpiresAt: t0.Add(time.Minute)}))
	must(t, db.RefreshTokens().CreateFamily(ctx, family("rot"), refresh("sha256:r0", t0)))

	for _, c := range children {
		_, err := io.WriteString(c.stdin, "go\n")
		must(t, err)
	}
	counts := map[string]int{}
	for i, c := range children {
		for c.out.Scan() {
			line := c.out.Text()
			c.lines = append(c.lines, line)
			if r, ok := strings.CutPrefix(line, resultLinePrefix); ok {
				counts[r]++
			}
		}
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, strings.Join(c.lines, "\n"))
		}
	}
	want := map[string]int{
		"redeem won":              1,
		"redeem ErrAlreadyUsed":   racers - 1,
		"rotate won":              1,
		"rotate ErrConcurrentUse": racers - 1,
		"use won":                 1,
		"use ErrReplayed":         racers - 1,
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("outcomes over %d processes:\n got %v\nwant %v", processes, counts, want)
	}
	// The winners' writes are there, once.
	c, err := db.Codes().Redeem(ctx, "sha256:code", t0.Add(time.Second))
	if !errors.Is(err, store.ErrAlreadyUsed) || c.FamilyID == "" {
		t.Fatalf("replay after the race: %v, family %q", err, c.FamilyID)
	}
}

// raceChild is the child's side: open the store, say so, wait for "go" on
// standard input, race, print one line per outcome.
func raceChild(t *testing.T) {
	dsn, idx := os.Getenv(childDSNEnv), os.Getenv(childIndexEnv)
	n, err := strconv.Atoi(os.Getenv(childRacersEnv))
	must(t, err)
	db, err := postgres.Open(t.Context(), dsn)
	must(t, err)
	defer db.Close()
	fmt.Println(resultLinePrefix + "opened")
	if line, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil || line != "go\n" {
		t.Fatalf("waiting for go: %q, %v", line, err)
	}
	ctx := t.Context()
	name := func(op string, err error, lose error, loseName string) string {
		switch {
		case err == nil:
			return op + " won"
		case errors.Is(err, lose):
			return op + " " + loseName
		}
		return op + " unexpected: " + err.Error()
	}
	start := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	var out []string
	for i := range n {
		id := idx + "-" + strconv.Itoa(i)
		wg.Go(func() {
			<-start
			_, rerr := db.Codes().RedeemInto(ctx, "sha256:code", t0.Add(time.Millisecond), family("fam-"+id), refresh("sha256:first-"+id, t0))
			_, terr := db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:r1-"+id, t0),
				Now: t0.Add(time.Minute), Leeway: time.Minute})
			uerr := db.Replays().Use(ctx, "dpop:jti", t0, t0.Add(time.Minute))
			mu.Lock()
			out = append(out, name("redeem", rerr, store.ErrAlreadyUsed, "ErrAlreadyUsed"),
				name("rotate", terr, store.ErrConcurrentUse, "ErrConcurrentUse"), name("use", uerr, store.ErrReplayed, "ErrReplayed"))
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	for _, o := range out {
		fmt.Println(resultLinePrefix + o)
	}
}
