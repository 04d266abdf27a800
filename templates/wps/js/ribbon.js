/* The ribbon's callbacks. ribbon.xml names each one; WPS calls them as global functions of
 * index.html, whose scripts load layout.js, et.js and taizhang.js first. The work itself is
 * Taizhang.run; this file is only the page's glue: window, alert, prompt, the code dialog.
 * ES5 only, as et.js.
 */

function TaizhangApplication() {
  return TaizhangET.application(window);
}

/** customUI onLoad: runs first, with the ribbon object. */
function OnAddinLoad(ribbonUI) {
  window.TaizhangRibbon = ribbonUI;
  return true;
}

/** The page's own folder, for the dialog's address (file:///…/taizhang_1.0.0). */
function TaizhangBase() {
  var here = decodeURI(String(document.location));
  return here.substring(0, here.lastIndexOf("/"));
}

function TaizhangCodeDialog() {
  var app = TaizhangApplication();
  var ratio = window.devicePixelRatio || 1;
  try {
    TaizhangET.call(app, "ShowDialog", TaizhangBase() + "/ui/code.html", TaizhangLayout.title, 420 * ratio, 240 * ratio, true);
  } catch (e) {
    alert(Taizhang.say(TaizhangLayout.words.wps.dialog_failed, { detail: e && e.message ? e.message : String(e) }));
  }
}

/** A line of input; undefined when this WPS build has no working prompt(). */
function TaizhangAsk(text) {
  if (typeof window.prompt !== "function") return undefined;
  var started = new Date().getTime();
  var answer;
  try {
    answer = window.prompt(text, "");
  } catch (e) {
    return undefined;
  }
  // a host without JavaScript dialogs answers null at once: that is not the user cancelling
  if (answer === null && new Date().getTime() - started < 80) return undefined;
  return answer;
}

function OnAction(control) {
  var id = control && (control.Id || control.id);
  var app = TaizhangApplication();
  if (id === "taizhangCode") {
    Taizhang.storage(window, app).remove(Taizhang.CODE_KEY);
    alert(TaizhangLayout.words.wps.code_cleared);
    return true;
  }
  Taizhang.run(
    {
      app: app,
      host: window,
      config: window.TAIZHANG_CONFIG || {},
      transport: Taizhang.xhrTransport(window),
      alert: function (text) {
        alert(text);
      },
      ask: TaizhangAsk
    },
    function (outcome) {
      if (outcome.kind === "needcode") TaizhangCodeDialog();
    }
  );
  return true;
}

function GetImage(control) {
  var id = control && (control.Id || control.id);
  return id === "taizhangCode" ? "images/code.svg" : "images/taizhang.svg";
}

function OnGetEnabled(control) {
  return true;
}
