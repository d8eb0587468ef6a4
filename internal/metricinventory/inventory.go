package metricinventory

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/relay"
	"github.com/kubechat/whatsapp-operator/webhookserver"
)

// Programs that serve metrics, as the documentation names them.
const (
	Operator      = "operator"
	WebhookServer = "webhook server"
	Relay         = "relay"
)

// Metric is one metric family one or more programs export.
type Metric struct {
	Name string
	// Type is counter, gauge, histogram or summary.
	Type string
	Help string
	// Labels are the label names, sorted.
	Labels []string
	// Programs serving it, in the order Operator, WebhookServer, Relay.
	Programs []string
}

// Registries returns each program's registry holding its metrics, each
// with at least one series per family (see the package comment).
func Registries() (map[string]*prometheus.Registry, error) {
	reader, err := sampleReader()
	if err != nil {
		return nil, err
	}
	register := map[string]func(prometheus.Registerer) error{
		Operator: func(r prometheus.Registerer) error {
			if err := controllers.RegisterMetrics(r, reader); err != nil {
				return err
			}
			return graph.RegisterMetrics(r)
		},
		WebhookServer: webhookserver.RegisterMetrics,
		Relay:         relay.RegisterMetrics,
	}
	out := map[string]*prometheus.Registry{}
	for program, fn := range register {
		reg := prometheus.NewRegistry()
		rec := &recorder{next: reg}
		if err := fn(rec); err != nil {
			return nil, fmt.Errorf("%s: %w", program, err)
		}
		if err := rec.populate(); err != nil {
			return nil, fmt.Errorf("%s: %w", program, err)
		}
		out[program] = reg
	}
	return out, nil
}

// All returns every metric of every program, by name.
func All() ([]Metric, error) {
	regs, err := Registries()
	if err != nil {
		return nil, err
	}
	byName := map[string]*Metric{}
	for _, program := range []string{Operator, WebhookServer, Relay} {
		families, err := regs[program].Gather()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", program, err)
		}
		for _, f := range families {
			m := byName[f.GetName()]
			if m == nil {
				m = &Metric{Name: f.GetName(), Type: strings.ToLower(f.GetType().String()), Help: f.GetHelp(), Labels: labelNames(f)}
				byName[f.GetName()] = m
			}
			m.Programs = append(m.Programs, program)
		}
	}
	out := make([]Metric, 0, len(byName))
	for _, m := range byName {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func labelNames(f *dto.MetricFamily) []string {
	var names []string
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if !slices.Contains(names, l.GetName()) {
				names = append(names, l.GetName())
			}
		}
	}
	sort.Strings(names)
	return names
}

// recorder passes registrations on and keeps the collectors, so that the
// vectors among them can be given a child.
type recorder struct {
	next       prometheus.Registerer
	collectors []prometheus.Collector
}

func (r *recorder) Register(c prometheus.Collector) error {
	if err := r.next.Register(c); err != nil {
		return err
	}
	r.collectors = append(r.collectors, c)
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

func (r *recorder) Unregister(c prometheus.Collector) bool { return r.next.Unregister(c) }

// populate gives every vector one child (label values "sample"), so that
// it is gathered, and checks that every described metric then is.
func (r *recorder) populate() error {
	for _, c := range r.collectors {
		vec := metricVec(c)
		if vec == nil {
			continue
		}
		for _, d := range describe(c) {
			values := make([]string, len(d.labels))
			for i := range values {
				values[i] = "sample"
			}
			if _, err := vec.GetMetricWithLabelValues(values...); err != nil {
				return fmt.Errorf("child of %s: %w", d.name, err)
			}
		}
	}
	gathered := map[string]bool{}
	if g, ok := r.next.(prometheus.Gatherer); ok {
		families, err := g.Gather()
		if err != nil {
			return err
		}
		for _, f := range families {
			gathered[f.GetName()] = true
		}
	}
	for _, c := range r.collectors {
		for _, d := range describe(c) {
			if !gathered[d.name] {
				return fmt.Errorf("%s is described but yields no series from the sample objects: give sampleReader what it needs", d.name)
			}
		}
	}
	return nil
}

// metricVec returns the vector behind c, or nil when c is not one.
func metricVec(c prometheus.Collector) *prometheus.MetricVec {
	switch v := c.(type) {
	case *prometheus.CounterVec:
		return v.MetricVec
	case *prometheus.GaugeVec:
		return v.MetricVec
	case *prometheus.HistogramVec:
		return v.MetricVec
	case *prometheus.SummaryVec:
		return v.MetricVec
	}
	return nil
}

// desc is what a prometheus.Desc says of a metric.
type desc struct {
	name   string
	labels []string
}

// descPattern reads prometheus.Desc's String(): the library exposes no
// accessor for the name or the label names.
var descPattern = regexp.MustCompile(`^Desc\{fqName: ("(?:[^"\\]|\\.)*"), help: .*, variableLabels: \{([^}]*)\}\}$`)

func describe(c prometheus.Collector) []desc {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	var out []desc
	for d := range ch {
		m := descPattern.FindStringSubmatch(d.String())
		if m == nil {
			panic("metricinventory: cannot read " + d.String())
		}
		name, err := strconv.Unquote(m[1])
		if err != nil {
			panic("metricinventory: cannot read " + d.String())
		}
		var labels []string
		if m[2] != "" {
			for _, l := range strings.Split(m[2], ",") {
				labels = append(labels, strings.TrimSuffix(strings.TrimPrefix(l, "c("), ")"))
			}
		}
		out = append(out, desc{name: name, labels: labels})
	}
	return out
}
