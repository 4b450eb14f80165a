package report

import (
	"context"
	"image"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromium is Debian's package (scripts/test-deps.sh installs it).
const chromium = "/usr/bin/chromium"

// TestChromiumRendersCharts opens the report in headless Chromium and
// checks the screenshot: the page is not blank, and the charts' bars are
// there, in their colours, the timeline above the access levels.
func TestChromiumRendersCharts(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (scripts/test-deps.sh installs it): %v", chromium, err)
		}
		t.Skipf("%s is missing; sh scripts/test-deps.sh installs it", chromium)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, fixture()), 0o600); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "out.png")
	start := time.Now()
	screenshot(t, page, shot)
	t.Logf("screenshot in %v", time.Since(start))

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode the screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280×2000", b.Size())
	}

	// The bars: every access level's colour, and the busiest services'.
	// A level bar is 22 px high and at least 50 px wide.
	p := fixture().page()
	want := map[string]int{}
	for _, row := range p.Levels.Rows {
		want[row.Colour] = 22 * 50
	}
	for _, l := range p.Timeline.Legend[:3] {
		want[l.Colour] = 200
	}
	st := scan(img, slices.Collect(maps.Keys(want)))

	// Not blank: a fair share of the page is not background, and some of
	// it is dark (text).
	if total := b.Dx() * b.Dy(); st.inked < total/50 || st.dark < 2000 {
		t.Errorf("the page looks blank: %d of %d pixels inked, %d dark", st.inked, total, st.dark)
	}

	timelineBottom := 0
	levelsTop := b.Max.Y
	for colour, least := range want {
		n, box := st.count[colour], st.box[colour]
		if n < least {
			t.Errorf("colour %s: %d pixels, want at least %d", colour, n, least)
			continue
		}
		if isLevelColour(p, colour) {
			levelsTop = min(levelsTop, box.Min.Y)
		} else {
			timelineBottom = max(timelineBottom, box.Max.Y)
			// Bars spread over the chart's width.
			if colour == p.Timeline.Legend[0].Colour && box.Dx() < 400 {
				t.Errorf("the busiest service's bars span %d px, want most of the chart", box.Dx())
			}
		}
	}
	if timelineBottom == 0 || timelineBottom > levelsTop {
		t.Errorf("the timeline (bottom %d) is not above the access levels (top %d)", timelineBottom, levelsTop)
	}
}

// screenshot runs headless Chromium on page. Chromium lingers for many
// seconds after writing the screenshot (its D-Bus clients time out), so
// the test takes the file once Chromium says it is written, then ends it.
func screenshot(t *testing.T, page, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--screenshot="+out, "--window-size=1280,2000", "file://"+page)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Chromium's children share its process group: end them all.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	log := &watchWriter{want: "bytes written to file", seen: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-log.seen:
		cancel()
		<-exited
	case err := <-exited:
		t.Fatalf("chromium exited (%v) without writing the screenshot:\n%s", err, log)
	}
}

// watchWriter keeps what Chromium prints and closes seen once it has
// printed want.
type watchWriter struct {
	want string
	seen chan struct{}
	mu   sync.Mutex
	buf  strings.Builder
	done bool
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.want) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// pixels is what scan found in a screenshot.
type pixels struct {
	inked, dark int // not background; dark enough for text
	count       map[string]int
	box         map[string]image.Rectangle
}

// scan counts, in one pass, the inked and dark pixels of img, and those
// of each colour (#rrggbb, within 3 per channel) with their bounding box.
func scan(img image.Image, colours []string) pixels {
	type target struct {
		name    string
		r, g, b int
	}
	var ts []target
	for _, c := range colours {
		v, _ := strconv.ParseUint(c[1:], 16, 32)
		ts = append(ts, target{c, int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)})
	}
	p := pixels{count: map[string]int{}, box: map[string]image.Rectangle{}}
	near := func(a, b int) bool { return a-b <= 3 && b-a <= 3 }
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl := rgb(img, x, y)
			if r < 240 || g < 240 || bl < 240 {
				p.inked++
			}
			if r < 80 && g < 80 && bl < 80 {
				p.dark++
			}
			for _, t := range ts {
				if near(r, t.r) && near(g, t.g) && near(bl, t.b) {
					p.count[t.name]++
					p.box[t.name] = p.box[t.name].Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
	}
	return p
}

// rgb returns the 8-bit colour of a pixel, reading the pixel buffer
// directly for the formats Chromium's PNGs decode to.
func rgb(img image.Image, x, y int) (int, int, int) {
	switch m := img.(type) {
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return int(m.Pix[i]), int(m.Pix[i+1]), int(m.Pix[i+2])
	case *image.RGBA:
		i := m.PixOffset(x, y)
		return int(m.Pix[i]), int(m.Pix[i+1]), int(m.Pix[i+2])
	}
	r, g, b, _ := img.At(x, y).RGBA()
	return int(r >> 8), int(g >> 8), int(b >> 8)
}

func isLevelColour(p page, colour string) bool {
	for _, row := range p.Levels.Rows {
		if row.Colour == colour {
			return true
		}
	}
	return false
}
