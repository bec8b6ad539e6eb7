/* The editor of a work report's section: figures read as what they say ("26.2万元", their label on
   hover), not as their tokens ({{relief.重特大疾病救助.amount}}).

   The form's textarea stays the model and what is posted: one paragraph per line, figures as
   tokens. When this script runs it hides the textarea behind an editable box where every token
   is a chip, and writes the box back into the textarea as tokens on every change; without the
   script the textarea works as it always did. The picker beside it inserts a figure at the caret
   and filters by what is typed; 预览 fetches the section as the PDF prints it. */
(function () {
  "use strict";

  var TOKEN = /\{\{\s*([^{}\s]+)\s*\}\}/g;
  var ZWSP = "\u200b"; // lets the caret sit after a chip at the end of a line; never saved
  var BLOCK = /^(DIV|P|LI|UL|OL|H[1-6]|BLOCKQUOTE|PRE|TABLE|TR|SECTION|ARTICLE)$/;

  function ready(callback) {
    if (document.readyState !== "loading") { callback(); } else { document.addEventListener("DOMContentLoaded", callback); }
  }

  ready(function () {
    var form = document.getElementById("section-form");
    var textarea = form && form.querySelector("textarea[name=body]");
    var chipData = document.getElementById("figure-chips");
    if (!form || !textarea || !chipData) { return; }
    var figures = JSON.parse(chipData.textContent);

    /* The editable box, in the textarea's place. */
    var editor = document.createElement("div");
    editor.id = "body-editor";
    editor.className = "chip-editor";
    editor.contentEditable = "true";
    editor.spellcheck = false;
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    var label = form.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      editor.setAttribute("aria-label", label.textContent.replace("*", "").trim());
      label.addEventListener("click", function () { editor.focus(); });
    }
    if (textarea.getAttribute("aria-invalid") === "true" || textarea.closest(".has-error")) {
      editor.classList.add("invalid");
    }
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.hidden = true;
    document.body.classList.add("js-editor");

    function chip(key) {
      var figure = figures[key];
      var span = document.createElement("span");
      span.className = figure ? "chip" : "chip unknown";
      span.contentEditable = "false";
      span.dataset.token = key;
      if (figure) {
        span.textContent = figure.text || form.dataset.empty;
        span.title = figure.label;
      } else {
        span.textContent = "【" + form.dataset.unknown + "：" + key + "】";
      }
      return span;
    }

    /* Words and tokens as nodes: text nodes and chips. */
    function nodesOf(text) {
      var nodes = [];
      var position = 0;
      var match;
      TOKEN.lastIndex = 0;
      while ((match = TOKEN.exec(text)) !== null) {
        if (match.index > position) { nodes.push(document.createTextNode(text.slice(position, match.index))); }
        nodes.push(chip(match[1]));
        position = TOKEN.lastIndex;
      }
      if (position < text.length) { nodes.push(document.createTextNode(text.slice(position))); }
      return nodes;
    }

    function lineNode(line) {
      var div = document.createElement("div");
      nodesOf(line).forEach(function (node) { div.appendChild(node); });
      if (!div.firstChild) { div.appendChild(document.createElement("br")); }
      if (div.lastChild.nodeType === 1 && div.lastChild.dataset.token) { div.appendChild(document.createTextNode(ZWSP)); }
      return div;
    }

    function load(body) {
      editor.textContent = "";
      (body || "").split(/\r?\n/).forEach(function (line) { editor.appendChild(lineNode(line)); });
    }

    /* The box (or a piece of it) back to the token form: a line per block, tokens for chips. */
    function tokensOf(root) {
      var lines = [];
      var current = "";
      function flush() { lines.push(current); current = ""; }
      function walk(node) {
        Array.prototype.forEach.call(node.childNodes, function (child) {
          if (child.nodeType === 3) { current += child.data; return; }
          if (child.nodeType !== 1) { return; }
          if (child.dataset && child.dataset.token) { current += "{{" + child.dataset.token + "}}"; return; }
          if (child.tagName === "BR") {
            if (child.nextSibling) { flush(); }
            return;
          }
          var block = BLOCK.test(child.tagName);
          if (block && current) { flush(); }
          walk(child);
          if (block) { flush(); }
        });
      }
      walk(root);
      if (current) { flush(); }
      return lines
        .map(function (line) { return line.split(ZWSP).join("").replace(/\u00a0/g, " ").trim(); })
        .filter(function (line) { return line; })
        .join("\n");
    }

    var list = document.getElementById("figure-list");
    var entries = list ? Array.prototype.slice.call(list.querySelectorAll("li")) : [];

    function sync() {
      textarea.value = tokensOf(editor);
      var used = {};
      textarea.value.replace(TOKEN, function (whole, key) { used[key] = true; return whole; });
      entries.forEach(function (li) {
        li.classList.toggle("used", !!used[li.querySelector(".pick").dataset.token]);
      });
    }

    /* A token typed or pasted into the box becomes a chip; the caret stays after it. */
    function chipify() {
      var selection = window.getSelection();
      var caretNode = selection.rangeCount ? selection.anchorNode : null;
      var walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
      var texts = [];
      while (walker.nextNode()) { texts.push(walker.currentNode); }
      var caret = null;
      texts.forEach(function (node) {
        TOKEN.lastIndex = 0;
        if (!TOKEN.test(node.data)) { return; }
        var nodes = nodesOf(node.data);
        var tail = nodes[nodes.length - 1];
        if (tail.nodeType !== 3) {
          tail = document.createTextNode(ZWSP);
          nodes.push(tail);
        }
        var parent = node.parentNode;
        nodes.forEach(function (piece) { parent.insertBefore(piece, node); });
        parent.removeChild(node);
        if (node === caretNode) { caret = tail; }
      });
      if (caret) {
        var range = document.createRange();
        range.setStart(caret, caret.data === ZWSP ? 1 : 0);
        range.collapse(true);
        selection.removeAllRanges();
        selection.addRange(range);
      }
    }

    editor.addEventListener("input", function (event) {
      if (!event.isComposing) { chipify(); }
      sync();
    });
    editor.addEventListener("compositionend", function () { chipify(); sync(); });

    /* The invisible place-holder after a chip is never a key press's work: Backspace or Delete
       next to it acts on what is beyond it (the chip, or a character). */
    editor.addEventListener("keydown", function (event) {
      if (event.key !== "Backspace" && event.key !== "Delete") { return; }
      var selection = window.getSelection();
      if (!selection.rangeCount || !selection.isCollapsed || selection.anchorNode.nodeType !== 3) { return; }
      var node = selection.anchorNode;
      var offset = selection.anchorOffset;
      if (event.key === "Backspace") {
        while (offset > 0 && node.data.charAt(offset - 1) === ZWSP) {
          node.deleteData(offset - 1, 1);
          offset -= 1;
        }
        selection.collapse(node, offset);
      } else {
        while (node.data.charAt(offset) === ZWSP) { node.deleteData(offset, 1); }
      }
    });

    /* Pasting brings words (and tokens), never another page's markup. */
    editor.addEventListener("paste", function (event) {
      event.preventDefault();
      var text = (event.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
    /* Copying out of the box takes the tokens, so a chip pasted back is the same figure. */
    function copySelection(event, cut) {
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) { return; }
      var holder = document.createElement("div");
      holder.appendChild(selection.getRangeAt(0).cloneContents());
      event.clipboardData.setData("text/plain", tokensOf(holder));
      event.preventDefault();
      if (cut) { document.execCommand("delete"); }
    }
    editor.addEventListener("copy", function (event) { copySelection(event, false); });
    editor.addEventListener("cut", function (event) { copySelection(event, true); });

    /* A click on a chip selects it whole: Delete or typing replaces it. */
    editor.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest(".chip") : null;
      if (!target) { return; }
      var range = document.createRange();
      range.selectNode(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    });

    /* Where a picked figure goes: the caret's last place in the box, else the end. */
    var lastRange = null;
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (selection.rangeCount && editor.contains(selection.getRangeAt(0).commonAncestorContainer)) {
        lastRange = selection.getRangeAt(0).cloneRange();
      }
    });

    function insertionRange() {
      if (lastRange && editor.contains(lastRange.startContainer) && lastRange.startContainer !== editor) {
        return lastRange;
      }
      var line = editor.lastElementChild;
      if (!line) {
        line = lineNode("");
        editor.appendChild(line);
      }
      var range = document.createRange();
      range.selectNodeContents(line);
      range.collapse(false);
      if (line.lastChild && line.lastChild.tagName === "BR") { range.setStartBefore(line.lastChild); range.collapse(true); }
      return range;
    }

    function insertFigure(key) {
      var range = insertionRange();
      range.deleteContents();
      var node = chip(key);
      range.insertNode(node);
      var after = node.nextSibling;
      if (!after || after.nodeType !== 3) {
        after = document.createTextNode(ZWSP);
        node.parentNode.insertBefore(after, node.nextSibling);
      }
      var caret = document.createRange();
      caret.setStart(after, after.data.charAt(0) === ZWSP ? 1 : 0);
      caret.collapse(true);
      editor.focus();
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(caret);
      lastRange = caret.cloneRange();
      sync();
    }

    if (list) {
      // The box keeps its caret while a figure is pressed.
      list.addEventListener("mousedown", function (event) {
        if (event.target.closest(".pick")) { event.preventDefault(); }
      });
      list.addEventListener("click", function (event) {
        var pick = event.target.closest(".pick");
        if (pick) { insertFigure(pick.dataset.token); }
      });
    }

    /* The picker's search and its "全部数字" toggle. */
    var search = document.getElementById("figure-search");
    var toggle = document.getElementById("all-figures");
    var noMatch = document.getElementById("no-match");
    var showAll = toggle && toggle.dataset.all === "1";
    entries.forEach(function (li) {
      li.dataset.search = (li.querySelector(".pick").textContent + " " + li.querySelector(".pick").dataset.token).toLowerCase();
    });
    function filter() {
      var terms = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var shown = 0;
      entries.forEach(function (li) {
        var visible = (showAll || li.dataset.own === "1") && terms.every(function (term) {
          return li.dataset.search.indexOf(term) !== -1;
        });
        li.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (noMatch) { noMatch.hidden = shown > 0; }
    }
    if (search) {
      search.hidden = false;
      search.addEventListener("input", filter);
      search.addEventListener("keydown", function (event) {
        // Enter in the search inserts the only figure left, and never posts the form.
        if (event.key !== "Enter") { return; }
        event.preventDefault();
        var visible = entries.filter(function (li) { return !li.hidden; });
        if (visible.length === 1) { insertFigure(visible[0].querySelector(".pick").dataset.token); }
      });
    }
    if (toggle) {
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        showAll = !showAll;
        toggle.dataset.all = showAll ? "1" : "0";
        toggle.textContent = showAll ? toggle.dataset.labelOwn : toggle.dataset.labelAll;
        filter();
      });
    }

    /* 预览 without leaving the page: the section as the PDF prints it, from the server. */
    var preview = document.getElementById("preview");
    var previewButton = form.querySelector('button[name=action][value=preview]');
    if (preview && previewButton && window.fetch && window.FormData) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        sync();
        preview.classList.add("loading");
        fetch(form.dataset.previewUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.text();
          })
          .then(function (html) { preview.innerHTML = html; })
          .catch(function () {
            var message = document.createElement("p");
            message.className = "error";
            message.textContent = form.dataset.previewFailed;
            preview.textContent = "";
            preview.appendChild(message);
          })
          .then(function () { preview.classList.remove("loading"); });
      });
    }

    form.addEventListener("submit", sync);
    load(textarea.value);
    sync();
    filter();
  });
})();
