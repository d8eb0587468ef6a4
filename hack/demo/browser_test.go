package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserTimeout bounds the whole browser session, stepTimeout each step.
const (
	browserTimeout = 3 * time.Minute
	stepTimeout    = 45 * time.Second
)

// checkChatPage drives the chat page in headless Chromium as a user would:
// write and see the echo (its ticks turning blue once read), open the menu
// and tap a reply button, approve the pending template and see its status
// change, close the 24-hour window and see the relay's fallback template.
func (d *runningDemo) checkChatPage(t *testing.T, chromium string) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// This machine's closed network refuses Chromium's background
		// connections: switch them off.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()

	var shot []byte
	defer func() {
		if len(shot) == 0 { // the test failed before its screenshot: take one now
			shot, _ = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		saveScreenshot(t, "chat-page.png", shot)
	}()

	// The first run starts the browser, which lives as long as that run's
	// context: this one, not a step's.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromium, err)
	}
	// Each step has its own deadline, so a failure names the step and
	// leaves time for the screenshot.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	write := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			// Enter, as a user sends (a form.submit() would skip the page's handler).
			chromedp.SendKeys(chromedp.CSS(`#composer-text`), text+kb.Enter),
			// The box empties once Meta took the message.
			chromedp.WaitReady(chromedp.CSS(`#composer-text:placeholder-shown`)))
	}
	evaluate := func(what, expression string) any {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		v, err := chromedp.Run(stepCtx, chromedp.Evaluate[any](expression))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	const (
		support   = "106540352242922"
		echo      = `//li[contains(@class,'business') and @data-ticks='read']//div[@class='text' and .='Echo: Hello from the browser']`
		menu      = `//li[@data-kind='buttons']//button[normalize-space(.)='Track my order']`
		chosen    = `//li[contains(@class,'business')]//div[@class='text' and .='You chose "Track my order" (id track).']`
		listOpen  = `//li[@data-kind='list']//button[contains(., 'See topics')]`
		listRow   = `//dialog[@id='list-dialog']//button[span[.='Return an item']]`
		listReply = `//li[contains(@class,'business')]//div[@class='text' and .='You chose "Return an item" (id return).']`
		photo     = `//li[contains(@class,'business') and @data-kind='image']//img[@alt='Picture: Your parcel, packed and on its way']`
		longStart = `//li[contains(@class,'business')]//div[@class='text' and starts-with(., 'A long answer')]`
		longEnd   = `//li[contains(@class,'business')]//div[@class='text' and substring(., string-length(.) - 7) = 'The end.']`
		approve   = `//li[@data-template='spring_sale']//button[normalize-space(.)='Approve']`
		approved  = `//li[@data-template='spring_sale']/span[contains(@class,'status') and .='APPROVED']`
		tableRow  = `//tr[@data-name='spring-sale']/td[.='APPROVED']`
		fallback  = `//li[@data-kind='template']//div[@class='text' and .='New message: Echo: Are you still there? (reply to continue the conversation)']`
		windowBtn = `//button[@id='window-toggle' and @aria-pressed='true']`
	)
	step("open the page, get its snapshot and choose the support number", chromedp.Navigate(d.pageURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-live="true"]`)),
		chromedp.WaitReady(chromedp.CSS(`#channel option[value="`+support+`"]`)),
		chromedp.SetValue(chromedp.CSS(`#channel`), support),
		change(`channel`),
		// The scenario's conversation is there: the user's phone read it.
		chromedp.WaitVisible(`//li[contains(@class,'business') and @data-ticks='read']//div[@class='text' and .='Echo: Hi! Where is my order #4521?']`))
	step("send a text and see the echo, read (blue ticks)", write("Hello from the browser"), chromedp.WaitVisible(echo))
	step("ask for the menu and tap a reply button", write("menu"), chromedp.WaitVisible(menu), chromedp.Click(menu), chromedp.WaitVisible(chosen))
	step("ask for the list, open it and pick a row", write("list"), chromedp.WaitVisible(listOpen), chromedp.Click(listOpen),
		chromedp.WaitVisible(listRow), chromedp.Click(listRow), chromedp.WaitVisible(listReply))
	step("ask for a photo and see the picture the bot uploaded through the relay", write("photo"), chromedp.WaitVisible(photo))
	step("the picture loads (its bytes from the simulator, as the phone downloads them)",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`(() => { const i = document.evaluate("`+photo+`", document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; return !!i && i.complete && i.naturalWidth > 0; })()`)(ctx, tg)
			return err
		}))
	// The picture for the docs: buttons, a list, a picture, ticks.
	replies, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("take a screenshot: %v", err)
	}
	saveScreenshot(t, "chat-page-replies.png", replies)
	step("ask for a long answer and see the relay's split as two bubbles", write("long"),
		chromedp.WaitVisible(longStart), chromedp.WaitVisible(longEnd))
	// JSON numbers arrive as float64.
	if n := evaluate("count the long answer's bubbles", `[...document.querySelectorAll("li.business .text")].filter((e) => e.textContent.startsWith("A long answer") || e.textContent.endsWith("The end.")).length`); n != float64(2) {
		t.Errorf("the long answer shows in %v bubbles, want 2 (the relay splits past 4096 characters)", n)
	}
	// Each bubble in time order: the question before its answer.
	order := evaluate("read the conversation's order", `(() => { const texts = [...document.querySelectorAll("#messages li .text")].map((e) => e.textContent);
		return [texts.indexOf("long"), texts.findIndex((x) => x.startsWith("A long answer")), texts.findIndex((x) => x.endsWith("The end."))].join(","); })()`)
	if o, _ := order.(string); !ascending(o) {
		t.Errorf("the user's \"long\" and the two parts of the answer are at positions %v, want them in that order", order)
	}
	step("approve the pending template and see it APPROVED on the MessageTemplate",
		chromedp.WaitVisible(approve),
		chromedp.Click(approve),
		chromedp.WaitVisible(approved),
		chromedp.WaitVisible(tableRow))
	step("close the 24-hour window, write, and see the fallback template",
		chromedp.Click(chromedp.CSS(`#window-toggle`)),
		chromedp.WaitVisible(windowBtn),
		write("Are you still there?"),
		chromedp.WaitVisible(fallback))
	step("drop the number's quality to RED and see the channel's QUALITY follow",
		chromedp.SetValue(chromedp.CSS(`#quality`), "RED"),
		change(`quality`),
		chromedp.WaitVisible(`//tr[@data-name='support-us']/td[.='RED']`))
	step("inject Graph faults and see the provider fail with Meta's error, then recover",
		chromedp.Click(chromedp.CSS(`button[data-fault="server_errors"]`)),
		chromedp.WaitVisible(`//p[@id='provider-state' and starts-with(., 'MetaProvider Ready=False')]`),
		chromedp.WaitVisible(`//p[@id='provider-state' and starts-with(., 'MetaProvider Ready=True')]`))
	step("on a phone-sized window the page fits its width and the message box is usable",
		chromedp.EmulateViewport(390, 800),
		chromedp.WaitVisible(chromedp.CSS(`#composer-text`)))
	if fits := evaluate("measure the narrow page", `(() => { const box = document.getElementById("composer-text").getBoundingClientRect();
		return document.documentElement.scrollWidth <= window.innerWidth && box.width >= 150 && box.right <= window.innerWidth; })()`); fits != true {
		t.Error("on a 390 px wide window the page overflows sideways or squeezes the message box")
	}
	narrow, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("take a screenshot: %v", err)
	}
	saveScreenshot(t, "chat-page-narrow.png", narrow)
	step("back to a wide window", chromedp.EmulateViewport(1440, 900))
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatalf("take a screenshot: %v", err)
	}
}

// ascending reports whether a comma-separated list of indexes, none
// missing (-1), is strictly ascending.
func ascending(list string) bool {
	prev := -1
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n <= prev {
			return false
		}
		prev = n
	}
	return list != ""
}

// change fires the change event of the select with id, as choosing an
// option does (SetValue alone does not).
func change(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`document.getElementById("`+id+`").dispatchEvent(new Event("change"))`)(ctx, t)
		return err
	})
}

// saveScreenshot keeps the page's picture (a PNG: FullScreenshot at
// quality 100) with the test's output.
func saveScreenshot(t *testing.T, name string, png []byte) {
	if len(png) == 0 {
		return
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save the screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}
