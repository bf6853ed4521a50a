/* Loaded just before the Jupyter widgets manager (docs/conf.py, nb_ipywidgets_js). */
(function () {
  "use strict";
  // The manager's modules (@jupyter-widgets/base, .../controls, .../html-manager/dist/...)
  // find their fonts beside the address require.js gives their names, which would be under
  // the page's own folder: map the names to the vendored copy in _static/vendor/html-manager/
  // (this file is in _static/).
  var manager = new URL("vendor/html-manager/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = manager;
  window.requirejs.config({paths: {
    "@jupyter-widgets/html-manager/dist": manager.slice(0, -1),
    "@jupyter-widgets": manager.slice(0, -1),
  }});

  // ipywidgets typesets its labels with MathJax 2's MathJax.Hub.Queue(["Typeset", hub, el]);
  // the site loads MathJax 3, which has no Hub. Give every object that becomes window.MathJax
  // a Hub whose Queue typesets the element with MathJax 3 (once MathJax has started; until
  // then its first typeset of the whole page covers the widgets already drawn).
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (job) {
          var element = Array.isArray(job) ? job[2] : null;
          var current = window.MathJax;
          if (element && current && typeof current.typesetPromise === "function") {
            current.typesetPromise([element]).catch(function () {});
          }
        },
      };
    }
    return mathjax;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
