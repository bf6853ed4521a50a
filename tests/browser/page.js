// Helpers the browser tests install in the JupyterLab page as window.__convlab.
(() => {
  const DISPLAYS = ".convlab-output, .convlab-explain, .convlab-info, .convlab-message, "
    + ".convlab-kernel, .convlab-leftover";

  function notebook() {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return widget && widget.sessionContext && widget.content ? widget : null;
  }

  function kernel() {
    const nb = notebook();
    const session = nb && nb.sessionContext.session;
    return session ? session.kernel : null;
  }

  // Everything a learner sees change: pictures (img src), grids and texts, shown or hidden.
  function parts(root) {
    return [...root.querySelectorAll(DISPLAYS)].map((el) => ({
      cls: [...el.classList].filter((c) => c.startsWith("convlab-")).join(" "),
      // the display's key in explorer.outputs (convlab-display-<key>)
      key: ([...el.classList].find((c) => c.startsWith("convlab-display-")) || "")
        .slice("convlab-display-".length),
      img: el.tagName === "IMG",
      shown: el.style.display !== "none",
      value: el.tagName === "IMG" ? el.src : el.innerHTML,
    }));
  }

  function signature(root) {
    return parts(root).map((p) => `${p.shown}|${p.value}`).join("\n");
  }

  function explorer(index) {
    return document.querySelectorAll(".convlab-explorer")[index];
  }

  // Resolve when the kernel is idle and nothing in `root` changed for `quiet` ms (the
  // kernel reports idle after the messages of its last update).
  function settle(root, quiet = 40, timeout = 15000) {
    return new Promise((resolve) => {
      let last = performance.now();
      const start = last;
      const observer = new MutationObserver(() => { last = performance.now(); });
      observer.observe(root, { subtree: true, childList: true, attributes: true,
                               characterData: true });
      const tick = () => {
        const now = performance.now();
        const k = kernel();
        const idle = !k || k.status === "idle";
        if ((idle && now - last >= quiet) || now - start > timeout) {
          observer.disconnect();
          resolve({ waited: now - start, timedOut: now - start > timeout });
        } else {
          setTimeout(tick, 15);
        }
      };
      setTimeout(tick, 15);
    });
  }

  // Arm a latency probe: the next key press on the page starts the clock, the first
  // frame after the explorer's displays change stops it.
  function arm(index, timeout = 5000) {
    const root = explorer(index);
    const before = signature(root);
    window.__convlabProbe = new Promise((resolve) => {
      // The clock starts at the key press (sliders) or at the chosen option landing
      // (dropdowns: JupyterLab takes arrow keys on a <select> for moving between cells).
      let key = null;
      const onKey = () => { if (key === null) key = performance.now(); };
      document.addEventListener("keydown", onKey, true);
      document.addEventListener("input", onKey, true);
      let timer = null;
      const observer = new MutationObserver(() => {
        if (signature(root) === before) return;
        observer.disconnect();
        const changed = performance.now();
        requestAnimationFrame(() => {
          clearTimeout(timer);
          document.removeEventListener("keydown", onKey, true);
          document.removeEventListener("input", onKey, true);
          resolve({ key, changed, frame: performance.now() });
        });
      });
      observer.observe(root, { subtree: true, childList: true, attributes: true,
                               characterData: true });
      timer = setTimeout(() => {
        observer.disconnect();
        document.removeEventListener("keydown", onKey, true);
        document.removeEventListener("input", onKey, true);
        resolve({ key, changed: null, frame: null });
      }, timeout);
    });
    return true;
  }

  // The explain panel: the written-out sum, the core's value, and the output cell shown.
  function explain(index) {
    const root = explorer(index);
    const panel = root.querySelector(".convlab-explain");
    const valueEl = panel && panel.querySelector(".convlab-explain-value");
    if (!valueEl) return null;
    const bolds = [...valueEl.parentElement.querySelectorAll("b")];
    const at = bolds.indexOf(valueEl);
    const cells = [];
    for (const display of root.querySelectorAll(".convlab-output")) {
      if (display.style.display === "none") continue;
      const table = display.querySelector("table.convlab-grid");
      if (!table) continue;
      // The output grid is captioned "output" (or "max pooled" / "avg pooled");
      // other grids (input, stamps per cell) highlight cells too.
      const caption = table.querySelector("caption");
      const title = caption ? caption.textContent.trim() : "";
      if (!(title === "output" || / pooled$/.test(title))) continue;
      const marked = [...table.querySelectorAll("td")].filter((td) => td.style.boxShadow);
      const rows = [...table.querySelectorAll("tr")];
      for (const td of marked) {
        const tr = td.parentElement;
        cells.push({ text: td.textContent, row: rows.indexOf(tr),
                     col: [...tr.children].indexOf(td) });
      }
    }
    return {
      text: valueEl.parentElement.textContent,
      sum: at > 0 ? bolds[at - 1].textContent : null,
      coreText: valueEl.textContent,
      core: valueEl.dataset.value,
      cells,
    };
  }

  // Controls that do not fit in their column (cut off, or drawn over by the panel next to it).
  function clipped(index) {
    const found = [];
    for (const control of explorer(index).querySelectorAll(".convlab-control")) {
      if (control.offsetParent === null) continue;          // hidden on purpose
      const own = control.getBoundingClientRect();
      const column = control.parentElement.getBoundingClientRect();
      if (own.right > column.right + 1) {
        const name = [...control.classList].find((c) => c.startsWith("convlab-control-"));
        found.push({ name: name.slice("convlab-control-".length),
                     width: Math.round(own.width), column: Math.round(column.width) });
      }
    }
    return found;
  }

  // Errors a learner would see: error outputs, widgets that failed to render.
  function problems() {
    const nb = notebook();
    const found = [];
    nb.content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      for (const out of cell.model.outputs.toJSON()) {
        if (out.output_type === "error") {
          found.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
        }
      }
    });
    nb.content.node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]'
    ).forEach((out, i) => {
      if (!out.querySelector(".jupyter-widgets")) found.push(`widget output ${i} is empty`);
    });
    const text = nb.content.node.innerText;
    if (text.includes("Error displaying widget")) {
      found.push("'Error displaying widget' is in the page");
    }
    return found;
  }

  // Everything the kernel sent that no cell shows (widget callbacks): errors and stderr.
  function listen() {
    window.__convlabKernelLog = [];
    kernel().iopubMessage.connect((_, msg) => {
      // Cells show what answers their own execution; record the rest (comm messages).
      if (msg.parent_header && msg.parent_header.msg_type === "execute_request") return;
      const type = msg.header.msg_type;
      if (type === "error") {
        window.__convlabKernelLog.push(`${msg.content.ename}: ${msg.content.evalue}`);
      } else if (type === "stream" && msg.content.name === "stderr") {
        window.__convlabKernelLog.push(msg.content.text);
      }
    });
  }

  // Every picture in every output of the notebook, once it has had the chance to decode:
  // {cell, where, shown, width} (width 0: it did not decode, the learner sees a hole).
  async function images(timeout = 10000) {
    const nb = notebook();
    const found = [];
    const cells = nb.content.widgets;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i].model.type !== "code") continue;
      for (const img of cells[i].node.querySelectorAll(".jp-OutputArea-output img")) {
        const shown = img.getClientRects().length > 0;
        if (shown && !(img.complete && img.naturalWidth > 0)) {
          await Promise.race([img.decode().catch(() => null),
                              new Promise((r) => setTimeout(r, timeout))]);
        }
        const explorer = img.closest(".convlab-explorer");
        const display = [...img.classList].find((c) => c.startsWith("convlab-display-"));
        found.push({
          cell: i, shown, width: img.naturalWidth,
          where: img.id ? `#${img.id.slice(0, 16)}`
            : explorer ? `${[...explorer.classList].find((c) => c !== "convlab-explorer"
                && c.startsWith("convlab-"))} ${display || "(picture)"}`
            : (img.getAttribute("src") || "(no src)").slice(0, 40),
        });
      }
    }
    return found;
  }

  // The animation players as the page shows them, before anything is clicked: their
  // picture (decoded? which frame?) and their scrubber.
  function players() {
    return [...document.querySelectorAll('img[id^="_anim_img"]')].map((img) => {
      const id = img.id.slice("_anim_img".length);
      const anim = window["anim" + id];
      const slider = document.getElementById("_anim_slider" + id);
      const cell = img.closest(".jp-Cell");
      return {
        id, complete: img.complete, width: img.naturalWidth,
        attribute: (img.getAttribute("src") || "").slice(0, 30),
        scripted: !!anim,
        frames: anim ? anim.frames.length : null,
        isFrame0: anim ? img.src === anim.frames[0].src : null,
        current: anim ? anim.current_frame : null,
        slider: slider ? slider.value : null,
        cell: cell ? [...cell.parentElement.children].indexOf(cell) : -1,
      };
    });
  }

  window.__convlab = { notebook, kernel, parts, signature, explorer, settle, arm, explain,
                       problems, listen, clipped, images, players };
})();
