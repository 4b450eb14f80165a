// Package report renders a session's recorded calls as one self-contained
// HTML page: calls over time per service and actions by access level as
// inline SVG charts, the minimal policy, the calls, and the comparison
// with a deployed policy when there is one. The page loads nothing: no
// script, stylesheet, font or image from anywhere, so that it can be
// archived as a CI artifact and opened offline.
//
// Like its parent package it is pure: it writes to an io.Writer, reads no
// clock, and the same input gives the same bytes.
package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamwatch/iamwatch"
)

//go:embed report.html.tmpl
var pageTemplate string

// DefaultMaxRows is how many calls the calls table shows when
// Report.MaxRows is zero.
const DefaultMaxRows = 500

// Report accumulates calls, then renders the page. Set the fields, Add
// every call, then Render. The zero value is ready to use.
type Report struct {
	// Session names the session the page is about; Labels are its labels.
	Session string
	Labels  map[string]string
	// Policy is the minimal policy, as the generator's JSON. Nil shows
	// that none was given.
	Policy []byte
	// PolicyError says why there is no policy, e.g. the generator's
	// refusal; it is shown instead of Policy.
	PolicyError string
	// Diff is the comparison with the deployed policies; nil says that
	// none was given.
	Diff *Diff
	// Generated is shown as the page's time; zero shows none.
	Generated time.Time
	// MaxRows bounds the calls table (the charts count every call);
	// zero means DefaultMaxRows, negative shows none.
	MaxRows int

	calls, errors, unrecognized, pending int
	first, last                          time.Time
	perSecond                            map[int64]map[string]int // unix second → service → calls
	services                             map[string]int
	actions                              map[string]iamwatch.AccessLevel // required actions
	possible                             map[string]bool
	rows                                 []row
}

// Diff is a comparison of what the calls needed with what deployed
// policies grant.
//
// It is the report's own small view of the generator's diff, which cmd
// fills in: the report renders findings and does not evaluate policies.
type Diff struct {
	// Against names the deployed policies, e.g. their files.
	Against []string
	// Missing are permissions the calls needed that the policies do not
	// grant; Excess are permissions they grant that no call used.
	Missing, Excess []Finding
}

// Finding is one permission a Diff reports.
type Finding struct {
	Action   string
	Resource string
	// Detail says more, e.g. which statement grants it.
	Detail string
}

// row is a call as the calls table shows it.
type row struct {
	Time, Service, Operation, Error string
	Status                          int
	Actions, Possible, Resources    []string
	Labels                          string
	Pending, Unrecognized           bool
	Reason                          string
}

// Add counts rec in the charts and, while the table has room, adds it to
// the table.
func (r *Report) Add(rec *iamwatch.Record) {
	if r.perSecond == nil {
		r.perSecond = map[int64]map[string]int{}
		r.services = map[string]int{}
		r.actions = map[string]iamwatch.AccessLevel{}
		r.possible = map[string]bool{}
	}
	r.calls++
	t := rec.Time.UTC()
	if r.first.IsZero() || t.Before(r.first) {
		r.first = t
	}
	if t.After(r.last) {
		r.last = t
	}
	svc := serviceName(rec)
	sec := t.Unix()
	if r.perSecond[sec] == nil {
		r.perSecond[sec] = map[string]int{}
	}
	r.perSecond[sec][svc]++
	r.services[svc]++
	if rec.ErrorCode != "" || rec.Status >= 400 {
		r.errors++
	}
	if !rec.Recognized {
		r.unrecognized++
	}
	if rec.Pending {
		r.pending++
	}
	var rw row
	for _, a := range rec.Actions {
		if a.Possible {
			if _, required := r.actions[a.Action]; !required {
				r.possible[a.Action] = true
			}
			rw.Possible = append(rw.Possible, a.Action)
			continue
		}
		delete(r.possible, a.Action)
		if lvl, ok := r.actions[a.Action]; !ok || lvl == "" {
			r.actions[a.Action] = a.Level
		}
		rw.Actions = append(rw.Actions, a.Action)
		rw.Resources = append(rw.Resources, a.Resources...)
	}
	if len(r.rows) < r.maxRows() {
		rw.Time = t.Format("2006-01-02 15:04:05.000")
		rw.Service, rw.Operation = svc, cmp.Or(rec.Operation, "?")
		rw.Status, rw.Error = rec.Status, rec.ErrorCode
		rw.Pending, rw.Unrecognized, rw.Reason = rec.Pending, !rec.Recognized, rec.Reason
		rw.Labels = labelString(rec.Labels)
		slices.Sort(rw.Resources)
		rw.Resources = slices.Compact(rw.Resources)
		r.rows = append(r.rows, rw)
	}
}

func (r *Report) maxRows() int {
	switch {
	case r.MaxRows == 0:
		return DefaultMaxRows
	case r.MaxRows < 0:
		return 0
	}
	return r.MaxRows
}

func serviceName(rec *iamwatch.Record) string {
	return cmp.Or(rec.ServiceID, rec.Service, "unknown")
}

func labelString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

// Render writes the page.
func (r *Report) Render(w io.Writer) error {
	t, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	if err := t.Execute(w, r.page()); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

// page is what the template renders.
type page struct {
	Session   string
	Labels    []string
	Generated string
	Calls     int
	Errors    int
	Unrecog   int
	Pending   int
	Span      string
	Actions   int
	Possible  int
	Timeline  timeline
	Levels    levelChart
	Policy    string
	HasPolicy bool
	PolicyErr string
	Diff      *Diff
	Rows      []row
	Hidden    int
}

func (r *Report) page() page {
	p := page{
		Session: cmp.Or(r.Session, "(all sessions)"), Calls: r.calls, Errors: r.errors, Unrecog: r.unrecognized,
		Pending: r.pending, Actions: len(r.actions), Possible: len(r.possible),
		Policy: string(r.Policy), HasPolicy: r.Policy != nil, PolicyErr: r.PolicyError, Diff: r.Diff, Rows: r.rows, Hidden: r.calls - len(r.rows),
	}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		p.Labels = append(p.Labels, k+"="+r.Labels[k])
	}
	if !r.Generated.IsZero() {
		p.Generated = r.Generated.UTC().Format(time.RFC3339)
	}
	if r.calls > 0 {
		p.Span = r.first.Format("2006-01-02 15:04:05") + " – " + r.last.Format("2006-01-02 15:04:05") + " UTC"
	}
	p.Timeline = r.timeline()
	p.Levels = r.levelChart()
	return p
}

// Chart geometry, in SVG user units (CSS pixels at 100%).
const (
	chartWidth  = 960
	chartHeight = 280
	padLeft     = 56
	padRight    = 16
	padTop      = 16
	padBottom   = 44
	maxBuckets  = 60
)

// servicePalette colours the services of the timeline, busiest first;
// otherColour is for the rest. They differ from the level colours, so
// that a test can tell the two charts apart by colour.
func servicePalette() [8]string {
	return [...]string{"#3366cc", "#0099c6", "#dd4477", "#66aa00", "#b82e2e", "#316395", "#994499", "#22aa99"}
}

const otherColour = "#aaaaaa"

// levelColours colour the access levels; unknownColour an action the
// catalog gave no level.
func levelColours() []levelColour {
	return []levelColour{
		{iamwatch.LevelList, "#4e79a7"},
		{iamwatch.LevelRead, "#59a14f"},
		{iamwatch.LevelWrite, "#e15759"},
		{iamwatch.LevelPermissionsManagement, "#b07aa1"},
		{iamwatch.LevelTagging, "#f28e2b"},
	}
}

type levelColour struct {
	level  iamwatch.AccessLevel
	colour string
}

const unknownColour = "#9c755f"

// timeline is the calls-over-time chart: stacked bars per time bucket.
type timeline struct {
	Width, Height int
	// Where the axes and captions go.
	PlotLeft, PlotRight, AxisX, XLabelY, CaptionX, CaptionY float64
	Bars                                                    []rect
	Grid                                                    []gridLine
	XLabels                                                 []text
	Legend                                                  []legendItem
	Bucket                                                  string
	Empty                                                   bool
}

type rect struct {
	X, Y, W, H float64
	Fill       string
	Title      string
}

type gridLine struct {
	Y     float64
	Label string
}

type text struct {
	X      float64
	Anchor string
	Label  string
}

type legendItem struct {
	Colour, Label string
	Count         int
}

// bucketWidths are the time buckets the timeline may use: the smallest
// that fits the session in maxBuckets bars wins.
func bucketWidths() []time.Duration {
	return []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second,
		15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		24 * time.Hour, 7 * 24 * time.Hour}
}

// bucketWidth returns the bucket for calls from first to last, and the
// number of buckets.
func bucketWidth(first, last time.Time) (time.Duration, int) {
	widths := bucketWidths()
	for _, w := range widths {
		n := int(last.Truncate(w).Sub(first.Truncate(w))/w) + 1
		if n <= maxBuckets {
			return w, n
		}
	}
	w := widths[len(widths)-1]
	// Past the widest bucket: as many weeks as it takes.
	n := int(last.Sub(first)/w) + 1
	w *= time.Duration((n + maxBuckets - 1) / maxBuckets)
	return w, int(last.Truncate(w).Sub(first.Truncate(w))/w) + 1
}

func (r *Report) timeline() timeline {
	tl := timeline{Width: chartWidth, Height: chartHeight, PlotLeft: padLeft, PlotRight: chartWidth - padRight,
		AxisX: padLeft - 8, XLabelY: chartHeight - padBottom + 18, CaptionX: padLeft + (chartWidth-padLeft-padRight)/2,
		CaptionY: chartHeight - 6}
	if r.calls == 0 {
		tl.Empty = true
		return tl
	}
	// Colours go to the busiest services; the rest share one.
	names := slices.Collect(maps.Keys(r.services))
	sort.Slice(names, func(i, j int) bool {
		if r.services[names[i]] != r.services[names[j]] {
			return r.services[names[i]] > r.services[names[j]]
		}
		return names[i] < names[j]
	})
	colour := map[string]string{}
	order := []string{} // stacking order, bottom first
	other := 0
	palette := servicePalette()
	for i, n := range names {
		if i < len(palette) {
			colour[n] = palette[i]
			order = append(order, n)
			tl.Legend = append(tl.Legend, legendItem{palette[i], n, r.services[n]})
			continue
		}
		colour[n] = otherColour
		other += r.services[n]
	}
	if other > 0 {
		order = append(order, "other")
		tl.Legend = append(tl.Legend, legendItem{otherColour, fmt.Sprintf("%d other services", len(names)-len(palette)), other})
	}

	w, n := bucketWidth(r.first, r.last)
	tl.Bucket = formatDuration(w)
	start := r.first.Truncate(w)
	counts := make([]map[string]int, n)
	for sec, m := range r.perSecond {
		i := int(time.Unix(sec, 0).UTC().Truncate(w).Sub(start) / w)
		if counts[i] == nil {
			counts[i] = map[string]int{}
		}
		for svc, c := range m {
			key := svc
			if colour[svc] == otherColour {
				key = "other"
			}
			counts[i][key] += c
		}
	}
	peak := 0
	for _, m := range counts {
		total := 0
		for _, c := range m {
			total += c
		}
		peak = max(peak, total)
	}
	top := niceCeil(peak)
	plotW := float64(chartWidth - padLeft - padRight)
	plotH := float64(chartHeight - padTop - padBottom)
	slot := plotW / float64(n)
	gap := math.Min(2, slot*0.2)
	for i, m := range counts {
		y := float64(padTop) + plotH
		for _, svc := range order {
			c := m[svc]
			if c == 0 {
				continue
			}
			h := plotH * float64(c) / float64(top)
			y -= h
			fill := colour[svc]
			if svc == "other" {
				fill = otherColour
			}
			at := start.Add(time.Duration(i) * w)
			tl.Bars = append(tl.Bars, rect{X: round(padLeft + float64(i)*slot + gap/2), Y: round(y), W: round(slot - gap),
				H: round(h), Fill: fill, Title: fmt.Sprintf("%s %s: %d calls", at.Format("15:04:05"), svc, c)})
		}
	}
	for _, v := range []int{0, top / 2, top} {
		if v == 0 && top == 1 {
			continue
		}
		tl.Grid = append(tl.Grid, gridLine{Y: round(float64(padTop) + plotH - plotH*float64(v)/float64(top)), Label: fmt.Sprint(v)})
	}
	layout := "15:04:05"
	if r.last.Sub(r.first) >= 24*time.Hour {
		layout = "01-02 15:04"
	}
	tl.XLabels = []text{{X: padLeft, Anchor: "start", Label: start.Format(layout)}}
	if n > 1 {
		end := start.Add(time.Duration(n) * w)
		tl.XLabels = append(tl.XLabels, text{X: chartWidth - padRight, Anchor: "end", Label: end.Format(layout)})
	}
	return tl
}

// levelChart is the actions-by-access-level chart: one horizontal bar per
// level, as long as the number of distinct actions of that level.
type levelChart struct {
	Width, Height           int
	LabelX, BarX, BarHeight float64
	Rows                    []levelRow
	Empty                   bool
}

type levelRow struct {
	Level     string
	Count     int
	Colour    string
	Y, W      float64
	LabelY    float64
	CountX    float64
	ActionsOf string
}

const (
	levelLabelWidth = 190
	levelRowHeight  = 34
	levelBarHeight  = 22
)

func (r *Report) levelChart() levelChart {
	byLevel := map[iamwatch.AccessLevel][]string{}
	for a, lvl := range r.actions {
		byLevel[lvl] = append(byLevel[lvl], a)
	}
	type entry struct {
		level  string
		colour string
		list   []string
	}
	var entries []entry
	for _, lc := range levelColours() {
		entries = append(entries, entry{string(lc.level), lc.colour, byLevel[lc.level]})
		delete(byLevel, lc.level)
	}
	var unknown []string
	for _, list := range byLevel { // "" and any level the catalog may add
		unknown = append(unknown, list...)
	}
	if len(unknown) > 0 {
		entries = append(entries, entry{"Unknown", unknownColour, unknown})
	}
	most := 0
	for _, e := range entries {
		most = max(most, len(e.list))
	}
	lc := levelChart{Width: chartWidth, Height: len(entries)*levelRowHeight + 8, Empty: most == 0,
		LabelX: levelLabelWidth - 8, BarX: levelLabelWidth, BarHeight: levelBarHeight}
	barMax := float64(chartWidth - levelLabelWidth - 60)
	for i, e := range entries {
		slices.Sort(e.list)
		y := float64(4 + i*levelRowHeight)
		row := levelRow{Level: e.level, Count: len(e.list), Colour: e.colour, Y: y,
			LabelY: y + levelBarHeight/2 + 5, ActionsOf: strings.Join(e.list, ", ")}
		if most > 0 {
			row.W = round(barMax * float64(len(e.list)) / float64(most))
		}
		row.CountX = levelLabelWidth + row.W + 8
		lc.Rows = append(lc.Rows, row)
	}
	return lc
}

// niceCeil returns the smallest of 1, 2, 5 × 10^k that is at least n
// (and at least 1).
func niceCeil(n int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

func round(f float64) float64 { return math.Round(f*10) / 10 }

func formatDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}
