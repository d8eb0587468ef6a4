package chatpage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// How the panel follows the objects: on every watch event, at most every
// refreshGap, and every refreshEvery anyway (ages move on).
const (
	refreshGap   = 200 * time.Millisecond
	refreshEvery = 5 * time.Second
)

// kinds are the resources of the whatsapp category, in kubectl's order.
var kinds = []struct{ kind, resource string }{
	{"MetaProvider", "metaproviders"},
	{"WhatsAppChannel", "whatsappchannels"},
	{"MessageTemplate", "messagetemplates"},
}

// Objects is what the side panel shows.
type Objects struct {
	// Tables are `kubectl get whatsapp -n NS`: the API server's own table
	// of each kind (its printer columns), the columns kubectl shows.
	Tables []Table `json:"tables"`
	// Channels and Templates are what the controls act on.
	Channels  []ChannelView  `json:"channels"`
	Templates []TemplateView `json:"templates"`
	// Provider is the MetaProvider's Ready condition.
	Provider Condition `json:"provider"`
	Error    string    `json:"error,omitempty"`
}

// Table is one kind's rows.
type Table struct {
	Kind    string     `json:"kind"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// ChannelView is a channel the user can write to.
type ChannelView struct {
	Name          string `json:"name"`
	PhoneNumberID string `json:"phoneNumberID"`
	Display       string `json:"display"`
	VerifiedName  string `json:"verifiedName"`
	Quality       string `json:"quality"`
	Ready         bool   `json:"ready"`
}

// TemplateView is a template at Meta.
type TemplateView struct {
	Object   string `json:"object"`
	Name     string `json:"name"`
	Language string `json:"language"`
	ID       string `json:"id"`
	Status   string `json:"status"`
}

// Condition is a condition's status, reason and message.
type Condition struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// followObjects keeps s.objects current until ctx ends and publishes every
// change.
func (s *Server) followObjects(ctx context.Context) {
	dirty := make(chan struct{}, 1)
	mark := func() {
		select {
		case dirty <- struct{}{}:
		default:
		}
	}
	for _, list := range []client.ObjectList{&whatsappv1alpha1.MetaProviderList{}, &whatsappv1alpha1.WhatsAppChannelList{}, &whatsappv1alpha1.MessageTemplateList{}} {
		go s.watch(ctx, list, mark)
	}
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	for {
		s.refreshObjects(ctx)
		select {
		case <-ctx.Done():
			return
		case <-dirty:
		case <-tick.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(refreshGap):
		}
	}
}

// watch calls mark on every change of list's kind in the namespace,
// watching again whenever the API server ends a watch.
func (s *Server) watch(ctx context.Context, list client.ObjectList, mark func()) {
	for ctx.Err() == nil {
		w, err := s.kube.Watch(ctx, list, client.InNamespace(s.opts.Namespace))
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
				continue
			}
		}
		for range w.ResultChan() {
			mark()
		}
		w.Stop()
	}
}

// refreshObjects reads the objects again and publishes them if they
// changed.
func (s *Server) refreshObjects(ctx context.Context) {
	o := s.readObjects(ctx)
	s.mu.Lock()
	same := equalJSON(o, s.objects)
	s.objects = o
	s.mu.Unlock()
	if !same {
		s.hub.publish("objects", o)
	}
}

func (s *Server) readObjects(ctx context.Context) Objects {
	var o Objects
	for _, k := range kinds {
		t, err := s.table(ctx, k.resource)
		if err != nil {
			o.Error = err.Error()
			continue
		}
		t.Kind = k.kind
		o.Tables = append(o.Tables, t)
	}
	var channels whatsappv1alpha1.WhatsAppChannelList
	if err := s.kube.List(ctx, &channels, client.InNamespace(s.opts.Namespace)); err == nil {
		for _, ch := range channels.Items {
			o.Channels = append(o.Channels, ChannelView{Name: ch.Name, PhoneNumberID: ch.Status.PhoneNumberID,
				Display: ch.Status.DisplayPhoneNumber, VerifiedName: ch.Status.VerifiedName, Quality: ch.Status.QualityRating,
				Ready: condition(ch.Status.Conditions).Status == string(metav1.ConditionTrue)})
		}
	}
	var templates whatsappv1alpha1.MessageTemplateList
	if err := s.kube.List(ctx, &templates, client.InNamespace(s.opts.Namespace)); err == nil {
		for _, t := range templates.Items {
			o.Templates = append(o.Templates, TemplateView{Object: t.Name, Name: t.Spec.Name, Language: t.Spec.Language,
				ID: t.Status.TemplateID, Status: t.Status.ApprovalStatus})
		}
	}
	var p whatsappv1alpha1.MetaProvider
	if err := s.kube.Get(ctx, client.ObjectKey{Namespace: s.opts.Namespace, Name: s.opts.Provider}, &p); err == nil {
		o.Provider = condition(p.Status.Conditions)
	}
	return o
}

// condition returns the Ready condition.
func condition(cs []metav1.Condition) Condition {
	for _, c := range cs {
		if c.Type == whatsappv1alpha1.ConditionReady {
			return Condition{Status: string(c.Status), Reason: c.Reason, Message: c.Message}
		}
	}
	return Condition{Status: "Unknown"}
}

// table asks the API server for resource as a Table, as kubectl get does,
// and keeps the columns kubectl shows without -o wide.
func (s *Server) table(ctx context.Context, resource string) (Table, error) {
	hc, err := rest.HTTPClientFor(s.rest)
	if err != nil {
		return Table{}, err
	}
	url := strings.TrimSuffix(s.rest.Host, "/") + "/apis/" + whatsappv1alpha1.GroupVersion.String() + "/namespaces/" + s.opts.Namespace + "/" + resource
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Table{}, err
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := hc.Do(req)
	if err != nil {
		return Table{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return Table{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Table{}, fmt.Errorf("listing %s: HTTP %d", resource, resp.StatusCode)
	}
	var mt metav1.Table
	if err := json.Unmarshal(raw, &mt); err != nil {
		return Table{}, err
	}
	var t Table
	var keep []int
	for i, c := range mt.ColumnDefinitions {
		if c.Priority == 0 {
			keep = append(keep, i)
			t.Columns = append(t.Columns, strings.ToUpper(c.Name))
		}
	}
	for _, r := range mt.Rows {
		row := make([]string, 0, len(keep))
		for _, i := range keep {
			cell := ""
			if i < len(r.Cells) && r.Cells[i] != nil {
				cell = fmt.Sprint(r.Cells[i])
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
