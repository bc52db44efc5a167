/* shopops — segment rule editor. Renders the rule tree held (as JSON) in textarea#rules-json
 * as nested AND/OR groups of conditions (field, operator, value), writes every edit back to
 * the textarea and fires "rules-changed" on the form, which makes HTMX post the form for the
 * live count and preview. The server validates; this only edits. No framework. */
(function () {
  "use strict";

  var NO_VALUE = ["is_empty", "not_empty", "is_true", "is_false"];
  var LIST_VALUE = ["in", "not_in", "any_of", "all_of", "none_of"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function init() {
    var holder = document.querySelector("[data-rule-editor]");
    var store = document.getElementById("rules-json");
    var form = document.getElementById("segment-form");
    if (!holder || !store || !form) return;
    var fields = JSON.parse(document.getElementById("segment-fields").textContent);
    var t = JSON.parse(document.getElementById("segment-i18n").textContent);
    var byName = {};
    fields.forEach(function (f) { byName[f.name] = f; });
    var tree;
    try { tree = JSON.parse(store.value || "{}"); } catch (e) { tree = {}; }
    if (!tree.rules) tree = { op: "and", rules: tree.field ? [tree] : [] };

    function changed() {
      store.value = JSON.stringify(tree);
      form.dispatchEvent(new CustomEvent("rules-changed", { bubbles: true }));
    }

    function newCondition() {
      var f = fields[0];
      return { field: f.name, operator: f.operators[0].value, value: defaultValue(f, f.operators[0].value) };
    }

    function defaultValue(field, op) {
      if (NO_VALUE.indexOf(op) >= 0) return null;
      if (op === "between") return ["", ""];
      if (LIST_VALUE.indexOf(op) >= 0) return [];
      if (field.choices.length) return field.choices[0].value;
      return "";
    }

    function valueInput(cond, field) {
      var op = cond.operator;
      if (NO_VALUE.indexOf(op) >= 0) return null;
      if (op === "between") {
        var pair = Array.isArray(cond.value) ? cond.value : ["", ""];
        var wrap = el("span", { class: "rule-between" });
        [0, 1].forEach(function (i) {
          var input = el("input", { type: "number", step: field.kind === "money" ? "0.01" : "1",
                                    "aria-label": i ? t.high : t.low, placeholder: i ? t.high : t.low,
                                    "data-rule-value": String(i) });
          input.value = pair[i] === null || pair[i] === undefined ? "" : pair[i];
          input.addEventListener("input", function () { pair[i] = input.value; cond.value = pair; changed(); });
          wrap.appendChild(input);
        });
        return wrap;
      }
      if (LIST_VALUE.indexOf(op) >= 0 && field.choices.length) {
        var select = el("select", { multiple: "multiple", "data-rule-value": "list", size: "4" });
        var chosen = Array.isArray(cond.value) ? cond.value : [];
        field.choices.forEach(function (c) {
          var o = el("option", { value: c.value, text: c.label });
          if (chosen.indexOf(c.value) >= 0) o.selected = true;
          select.appendChild(o);
        });
        select.addEventListener("change", function () {
          cond.value = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
          changed();
        });
        return select;
      }
      if (field.choices.length) {
        var one = el("select", { "data-rule-value": "one" });
        field.choices.forEach(function (c) {
          var o = el("option", { value: c.value, text: c.label });
          if (cond.value === c.value) o.selected = true;
          one.appendChild(o);
        });
        one.addEventListener("change", function () { cond.value = one.value; changed(); });
        return one;
      }
      var isList = LIST_VALUE.indexOf(op) >= 0;
      var numeric = field.kind === "int" || field.kind === "money";
      var input = el("input", { type: numeric && !isList ? "number" : "text", "data-rule-value": "text",
                                step: field.kind === "money" ? "0.01" : "1",
                                placeholder: isList ? t.values : (field.help || "") });
      input.value = isList ? (cond.value || []).join(", ") : (cond.value === null ? "" : cond.value);
      input.addEventListener("input", function () {
        cond.value = isList ? input.value.split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean) : input.value;
        changed();
      });
      return input;
    }

    function conditionRow(cond, parent, index) {
      var field = byName[cond.field] || fields[0];
      var fieldSelect = el("select", { "data-rule-field": "", "aria-label": "field" });
      fields.forEach(function (f) {
        var o = el("option", { value: f.name, text: f.label });
        if (f.name === field.name) o.selected = true;
        fieldSelect.appendChild(o);
      });
      var opSelect = el("select", { "data-rule-operator": "", "aria-label": "operator" });
      field.operators.forEach(function (op) {
        var o = el("option", { value: op.value, text: op.label });
        if (op.value === cond.operator) o.selected = true;
        opSelect.appendChild(o);
      });
      fieldSelect.addEventListener("change", function () {
        var f = byName[fieldSelect.value];
        cond.field = f.name;
        if (!f.operators.some(function (op) { return op.value === cond.operator; })) cond.operator = f.operators[0].value;
        cond.value = defaultValue(f, cond.operator);
        render(); changed();
      });
      opSelect.addEventListener("change", function () {
        var before = cond.operator;
        cond.operator = opSelect.value;
        var shape = function (op) { return op === "between" ? "pair" : LIST_VALUE.indexOf(op) >= 0 ? "list" : NO_VALUE.indexOf(op) >= 0 ? "none" : "one"; };
        if (shape(before) !== shape(cond.operator)) cond.value = defaultValue(field, cond.operator);
        render(); changed();
      });
      var remove = el("button", { type: "button", class: "btn btn-ghost rule-remove", text: "×", title: t.remove, "aria-label": t.remove });
      remove.addEventListener("click", function () { parent.rules.splice(index, 1); render(); changed(); });
      return el("div", { class: "rule-row", "data-rule-row": "" }, [fieldSelect, opSelect, valueInput(cond, field), remove]);
    }

    function groupBox(group, parent, index, depth) {
      var opSelect = el("select", { "data-rule-op": "", "aria-label": t.match });
      [["and", t.and], ["or", t.or]].forEach(function (pair) {
        var o = el("option", { value: pair[0], text: pair[1] });
        if (group.op === pair[0]) o.selected = true;
        opSelect.appendChild(o);
      });
      opSelect.addEventListener("change", function () { group.op = opSelect.value; changed(); });
      var head = el("div", { class: "rule-group-head" }, [el("span", { text: t.match }), opSelect]);
      if (parent) {
        var remove = el("button", { type: "button", class: "btn btn-ghost rule-remove", text: "×", title: t.remove, "aria-label": t.remove });
        remove.addEventListener("click", function () { parent.rules.splice(index, 1); render(); changed(); });
        head.appendChild(remove);
      }
      var box = el("div", { class: "rule-group depth-" + depth, "data-rule-group": "" }, [head]);
      group.rules.forEach(function (child, i) {
        box.appendChild(child.rules ? groupBox(child, group, i, depth + 1) : conditionRow(child, group, i));
      });
      var addCond = el("button", { type: "button", class: "btn", "data-add-condition": "", text: t.addCondition });
      addCond.addEventListener("click", function () { group.rules.push(newCondition()); render(); changed(); });
      var actions = el("div", { class: "rule-actions" }, [addCond]);
      if (depth < 3) {
        var addGroup = el("button", { type: "button", class: "btn", "data-add-group": "", text: t.addGroup });
        addGroup.addEventListener("click", function () {
          group.rules.push({ op: group.op === "and" ? "or" : "and", rules: [newCondition()] });
          render(); changed();
        });
        actions.appendChild(addGroup);
      }
      box.appendChild(actions);
      return box;
    }

    function render() {
      holder.innerHTML = "";
      holder.appendChild(groupBox(tree, null, 0, 0));
    }

    render();

    // a failed count (server error, network) must not leave an older result on screen
    form.addEventListener("htmx:responseError", function (event) {
      var target = document.getElementById("segment-preview");
      var status = event.detail.xhr ? event.detail.xhr.status : "";
      if (target) target.innerHTML = '<div class="alert alert-error" role="alert" data-rule-error>' +
        (t.failed || "The count could not be computed") + " (HTTP " + status + ")</div>";
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
