package controllers

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// The phone numbers' health, one series set per channel that holds its
// number, read from the channels' status in the informer cache at scrape
// time (no bookkeeping; numbers are few per WABA). Alert on them:
//
//	whatsapp_phone_number_quality{rating="RED"} == 1
//	delta(whatsapp_phone_number_messaging_limit[1d]) < 0
var (
	numberQualityDesc = prometheus.NewDesc(
		"whatsapp_phone_number_quality",
		"Quality rating Meta gives a channel's phone number: 1 for the current rating (GREEN, YELLOW, RED, UNKNOWN), 0 for the others.",
		[]string{"namespace", "channel", "phone_number_id", "rating"}, nil,
	)
	numberLimitDesc = prometheus.NewDesc(
		"whatsapp_phone_number_messaging_limit",
		"Unique users a channel's phone number may start conversations with per rolling 24 hours, from Meta's messaging limit tier (+Inf when unlimited).",
		[]string{"namespace", "channel", "phone_number_id"}, nil,
	)
)

// qualityRatings are the ratings always exported, so a series exists (at
// 0) before the rating it stands for is reached.
var qualityRatings = []string{"GREEN", "YELLOW", "RED", "UNKNOWN"}

type numbersCollector struct{ reader client.Reader }

func (c *numbersCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- numberQualityDesc
	ch <- numberLimitDesc
}

func (c *numbersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := c.reader.List(ctx, &list); err != nil {
		return
	}
	for i := range list.Items {
		w := &list.Items[i]
		id := w.Status.PhoneNumberID
		if id == "" {
			continue // the channel does not hold its number
		}
		current := w.Status.QualityRating
		if current == "" {
			current = "UNKNOWN"
		}
		ratings := qualityRatings
		if !slices.Contains(ratings, current) {
			ratings = append(slices.Clip(ratings), current) // a rating Meta added since
		}
		for _, r := range ratings {
			v := 0.0
			if r == current {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(numberQualityDesc, prometheus.GaugeValue, v, w.Namespace, w.Name, id, r)
		}
		if limit := tierLimit(w.Status.MessagingLimitTier); limit > 0 {
			ch <- prometheus.MustNewConstMetric(numberLimitDesc, prometheus.GaugeValue, limit, w.Namespace, w.Name, id)
		}
	}
}
