package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// picker draws indexes 0..n-1 with fixed weights.
type picker struct{ cum []float64 }

func newPicker(weights []float64) picker {
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cum[i] = total
	}
	return picker{cum: cum}
}

// zipf is a picker whose weight for rank k is 1/(k+1)^s: a few items are
// drawn often and the rest make a long tail, as in real archives.
func zipf(n int, s float64) picker {
	w := make([]float64, n)
	for k := range w {
		w[k] = 1 / math.Pow(float64(k+1), s)
	}
	return newPicker(w)
}

func (p picker) pick(r *rand.Rand) int {
	x := r.Float64() * p.cum[len(p.cum)-1]
	return sort.SearchFloat64s(p.cum, x)
}

var (
	servicePicker = zipf(len(services), 1.0)
	techPicker    = zipf(len(techWords), 0.8)
	segmentPicker = zipf(len(segments), 0.7)
	vendorPicker  = zipf(len(vendors), 0.8)
	teamPicker    = zipf(len(teams), 0.8)
	regionPicker  = zipf(len(regions), 1.1)
	personPicker  = zipf(people, 0.6)
	modePicker    = func() picker {
		w := make([]float64, len(modes))
		for i, m := range modes {
			w[i] = m.weight
		}
		return newPicker(w)
	}()
)

// people is how many people work in the generated organisation.
const people = 900

// person returns the name of person i (0 ≤ i < people): first and last
// names are combined so that names repeat as rarely as in a real company.
func person(i int) string {
	return firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames)*7+i*13)%len(lastNames)]
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns a duration uniformly in [lo, hi).
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// logBetween returns a duration between lo and hi whose logarithm is
// uniform: short durations are as common as long ones per order of
// magnitude, as incident durations are.
func logBetween(r *rand.Rand, lo, hi time.Duration) time.Duration {
	l, h := math.Log(float64(lo)), math.Log(float64(hi))
	return time.Duration(math.Exp(l + r.Float64()*(h-l)))
}

// slots are the values one incident's templates are filled with.
type slots struct {
	r                        *rand.Rand
	svc, svc2, dep           string
	host, host2              string
	region, az               string
	err, code, cfg, alert    string
	metric, seg, team        string
	vendor, flag, sev        string
	responders               []string
	t0, t1, dur              string
	what, trigger, fix, slug string
}

// expand fills the slots of tmpl. An unknown slot is left as written.
func (s *slots) expand(tmpl string) string {
	if strings.IndexByte(tmpl, '{') < 0 {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl) + 64)
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		s.fill(&b, tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
}

func (s *slots) fill(b *strings.Builder, key string) {
	r := s.r
	switch key {
	case "svc":
		b.WriteString(s.svc)
	case "svc2":
		b.WriteString(s.svc2)
	case "dep":
		b.WriteString(s.dep)
	case "host":
		b.WriteString(s.host)
	case "host2":
		b.WriteString(s.host2)
	case "region":
		b.WriteString(s.region)
	case "az":
		b.WriteString(s.az)
	case "err":
		b.WriteString(s.expand(s.err))
	case "code":
		b.WriteString(s.code)
	case "cfg":
		b.WriteString(s.cfg)
	case "alert":
		b.WriteString(s.alert)
	case "alertslug":
		b.WriteString(s.slug)
	case "metric":
		b.WriteString(s.metric)
	case "seg":
		b.WriteString(s.seg)
	case "team":
		b.WriteString(s.team)
		b.WriteString(" team")
	case "teamslug":
		b.WriteString(s.team)
	case "vendor":
		b.WriteString(s.vendor)
	case "flag":
		b.WriteString(s.flag)
	case "sev":
		b.WriteString(s.sev)
	case "person":
		b.WriteString(oneOf(r, s.responders))
	case "t0":
		b.WriteString(s.t0)
	case "t1":
		b.WriteString(s.t1)
	case "dur":
		b.WriteString(s.dur)
	case "what":
		b.WriteString(s.what)
	case "cause":
		b.WriteString(s.trigger)
	case "fix":
		b.WriteString(s.fix)
	case "n":
		b.WriteString(strconv.Itoa(2 + r.IntN(48)))
	case "n2":
		b.WriteString(strconv.Itoa(50 + r.IntN(450)))
	case "big":
		writeThousands(b, 1000+r.IntN(98000))
	case "pct":
		if r.IntN(4) == 0 {
			b.WriteString(strconv.FormatFloat(0.1+float64(r.IntN(99))/10, 'f', 1, 64))
		} else {
			b.WriteString(strconv.Itoa(1 + r.IntN(99)))
		}
		b.WriteByte('%')
	case "ms":
		b.WriteString(strconv.Itoa(200 + r.IntN(15000)))
	case "min":
		b.WriteString(strconv.Itoa(3 + r.IntN(88)))
	case "ver":
		b.WriteString("v" + strconv.Itoa(1+r.IntN(6)) + "." + strconv.Itoa(r.IntN(48)) + "." + strconv.Itoa(r.IntN(21)))
	case "sha":
		b.WriteString(strconv.FormatUint(r.Uint64()>>36|1<<27, 16)[:7])
	case "build":
		b.WriteString(strconv.Itoa(1000 + r.IntN(90000)))
	case "ticket":
		b.WriteString(oneOf(r, ticketPrefixes) + "-" + strconv.Itoa(100+r.IntN(60000)))
	case "ticketnum":
		b.WriteString(strconv.Itoa(100 + r.IntN(60000)))
	case "pr":
		b.WriteString("PR #" + strconv.Itoa(100+r.IntN(30000)))
	case "prnum":
		b.WriteString(strconv.Itoa(100 + r.IntN(30000)))
	case "dash":
		b.WriteString("https://grafana.example.com/d/" + s.svc + "/overview?orgId=1&from=now-6h")
	case "tech":
		b.WriteString(techWords[techPicker.pick(r)])
	default:
		b.WriteString("{" + key + "}")
	}
}

var ticketPrefixes = []string{"INC", "OPS", "SUP", "PLAT", "SEC", "CS", "SRE", "DBRE", "NET"}

func writeThousands(b *strings.Builder, n int) {
	s := strconv.Itoa(n)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
}

// human writes a duration as people do: "47 minutes", "2 hours 10 minutes".
func human(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case h == 0:
		return plural(max(m, 1), "minute")
	case m == 0 || h >= 24:
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

// capital upper-cases the first letter of s.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if unicode.IsUpper(r) || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// trimTo cuts s to at most n characters (titles have a length limit).
func trimTo(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
