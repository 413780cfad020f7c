/* PolicyBot chat widget. Embed with: <script src="https://POLICYBOT-HOST/widget.js" async></script>
 * On a page about one document, name it: <script src="…/widget.js" data-document="SOURCE" async></script>
 * (SOURCE as GET /api/documents lists it); answers then quote that document only.
 *
 * Everything lives in a shadow root, so the host page's styles and ours do not mix. Every string that
 * comes from the server or the user is put on the page with textContent, never parsed as HTML.
 */
(function () {
  "use strict";
  if (window.__policybotWidget) return;
  window.__policybotWidget = true;

  var script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  var ORIGIN = new URL(script && script.src ? script.src : "/widget.js", window.location.href).origin;
  var DOCUMENT = (script && script.getAttribute("data-document")) || ""; // "" : the best-matching owner answers
  var MAX_TURNS = 20; // turns of history sent with a question
  var MAX_TURN_CHARS = 2000; // long answers are cut in the history: follow-ups lean on the user's questions
  var history = [];
  var busy = false;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        node.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function policyUrl(c) {
    var url = new URL("/policy", ORIGIN);
    url.searchParams.set("source", c.source);
    url.searchParams.set("hl", c.start + "-" + c.end);
    url.hash = c.anchor;
    return url.href;
  }

  function mount() {
    var host = el("div", { id: "policybot-widget" });
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(el("link", { rel: "stylesheet", href: ORIGIN + "/widget.css" }));

    var launcher = el("button", {
      type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "pb-panel",
    }, "Privacy questions?");
    var panel = el("section", {
      id: "pb-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "pb-title",
    });
    panel.hidden = true;

    var header = el("header", { class: "header" });
    header.appendChild(el("h2", { id: "pb-title" }, "Ask about our privacy policy"));
    var close = el("button", { type: "button", class: "close", "aria-label": "Close" }, "×");
    header.appendChild(close);

    var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
    var intro = el("p", { class: "msg bot intro" },
      "Hi! I answer with exact quotes from our privacy policy. Try: “Do you use cookies?”");
    log.appendChild(intro);

    var status = el("p", { class: "status", role: "status", "aria-live": "polite" });

    var form = el("form", { class: "form" });
    var label = el("label", { for: "pb-input", class: "sr-only" }, "Your question");
    var input = el("textarea", {
      id: "pb-input", rows: "2", maxlength: "2000", placeholder: "Type your question…", autocomplete: "off",
    });
    var send = el("button", { type: "submit", class: "send" }, "Send");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(status);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.hidden = true;
      input.focus();
    }
    function shut() {
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }
    launcher.addEventListener("click", open);
    close.addEventListener("click", shut);
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") shut();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : submit(e);
      }
    });
    form.addEventListener("submit", submit);

    var lastQuestion = null;

    function scroll() {
      log.scrollTop = log.scrollHeight;
    }

    function scrollToQuestion() {
      // A long answer is read from its start: bring the question that asked it to the top.
      if (lastQuestion) log.scrollTop = Math.max(0, lastQuestion.offsetTop - 8);
    }

    function addUser(text) {
      lastQuestion = el("p", { class: "msg user" }, text);
      log.appendChild(lastQuestion);
      scroll();
    }

    function addNotice(text) {
      log.appendChild(el("p", { class: "msg bot notice" }, text));
      scroll();
    }

    function quoteBlock(c) {
      var figure = el("figure", { class: "quote" });
      var bq = el("blockquote", { cite: policyUrl(c) }, c.quote);
      var cap = el("figcaption");
      var a = el("a", { href: policyUrl(c), target: "_blank", rel: "noopener" }, "“" + c.section + "” in the policy");
      cap.appendChild(a);
      figure.appendChild(bq);
      figure.appendChild(cap);
      return figure;
    }

    function feedbackBar(id) {
      var bar = el("div", { class: "feedback", role: "group", "aria-label": "Was this answer helpful?" });
      var up = el("button", { type: "button", class: "rate", "aria-pressed": "false" }, "Yes");
      var down = el("button", { type: "button", class: "rate", "aria-pressed": "false" }, "No");
      var note = el("span", { class: "thanks", role: "status" });
      bar.appendChild(el("span", { class: "ask-rate", "aria-hidden": "true" }, "Helpful?"));
      bar.appendChild(up);
      bar.appendChild(down);
      bar.appendChild(note);

      function sendRating(rating, comment) {
        up.disabled = down.disabled = true;
        var body = { id: id, rating: rating };
        if (comment) body.comment = comment;
        return fetch(ORIGIN + "/api/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }).then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          note.textContent = "Thanks for the feedback.";
        }).catch(function () {
          note.textContent = "Sorry, the feedback could not be sent.";
          up.disabled = down.disabled = false;
        });
      }

      up.addEventListener("click", function () {
        up.setAttribute("aria-pressed", "true");
        sendRating("up");
      });
      down.addEventListener("click", function () {
        down.setAttribute("aria-pressed", "true");
        up.disabled = down.disabled = true;
        var f = el("form", { class: "comment" });
        var l = el("label", { for: "pb-c-" + id }, "What was wrong? (optional)");
        var t = el("input", { id: "pb-c-" + id, type: "text", maxlength: "500" });
        var b = el("button", { type: "submit" }, "Send");
        f.appendChild(l);
        f.appendChild(t);
        f.appendChild(b);
        f.addEventListener("submit", function (e) {
          e.preventDefault();
          b.disabled = true;
          sendRating("down", t.value.trim()).then(function () {
            f.remove();
          });
        });
        bar.after(f);
        t.focus();
      });
      return bar;
    }

    function addAnswer(data) {
      var box = el("div", { class: "msg bot" + (data.refused ? " refused" : "") });
      if (data.refused) {
        // The refusal text already quotes the contact sentence; link to it rather than repeat it.
        box.appendChild(el("p", null, data.answer));
        if (data.contact) {
          var more = el("p", { class: "source" });
          more.appendChild(el("a", { href: policyUrl(data.contact), target: "_blank", rel: "noopener" },
            "“" + data.contact.section + "” in the policy"));
          box.appendChild(more);
        }
      } else {
        var groups = [];
        (data.citations || []).forEach(function (c) {
          var last = groups[groups.length - 1];
          if (!last || last.section !== c.section || last.source !== c.source) {
            last = { section: c.section, source: c.source, items: [] };
            groups.push(last);
          }
          last.items.push(c);
        });
        groups.forEach(function (g) {
          box.appendChild(el("p", { class: "from" }, "From “" + g.section + "”:"));
          g.items.forEach(function (c) {
            box.appendChild(quoteBlock(c));
          });
        });
      }
      if (data.id) box.appendChild(feedbackBar(data.id));
      log.appendChild(box);
      scrollToQuestion();
    }

    function problem(response, body) {
      if (response.status === 429) {
        var wait = parseInt(response.headers.get("Retry-After") || "", 10);
        return "You're asking a little fast. Please wait " +
          (wait > 0 ? wait + " second" + (wait === 1 ? "" : "s") : "a moment") + " and try again.";
      }
      if (response.status === 503) return "The assistant is starting up. Please try again in a few seconds.";
      if (response.status === 413) return "That message is too long. Please shorten it.";
      if (response.status >= 400 && response.status < 500) {
        var detail = body && typeof body.detail === "string" ? body.detail : "";
        return "Sorry, I couldn't take that question" + (detail ? ": " + detail : ".");
      }
      return "Something went wrong on our side. Please try again in a moment.";
    }

    function submit(e) {
      if (e && e.preventDefault) e.preventDefault();
      var question = input.value.trim();
      if (!question || busy) return;
      busy = true;
      send.disabled = true;
      addUser(question);
      input.value = "";
      status.textContent = "Looking it up…";
      var payload = { question: question, history: history.slice(-MAX_TURNS) };
      if (DOCUMENT) payload.document = DOCUMENT;
      fetch(ORIGIN + "/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Bot-Channel": "widget" },
        body: JSON.stringify(payload),
      }).then(function (r) {
        return r.json().catch(function () {
          return null;
        }).then(function (body) {
          if (!r.ok || !body) {
            addNotice(problem(r, body));
            return;
          }
          history.push({ role: "user", content: question });
          history.push({ role: "assistant", content: String(body.answer || "").slice(0, MAX_TURN_CHARS) });
          addAnswer(body);
        });
      }).catch(function () {
        addNotice(navigator.onLine === false
          ? "You seem to be offline. Check your connection and try again."
          : "I couldn't reach the assistant. Check your connection and try again.");
      }).then(function () {
        busy = false;
        send.disabled = false;
        status.textContent = "";
        input.focus();
      });
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
