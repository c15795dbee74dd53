/*
 * A stand-in for Google's `gapi.iframes` loader (https://apis.google.com/js/api.js), served
 * by tests/e2e/test_signin_providers.py in place of the real one, which this sandbox
 * cannot download (no Internet). Only the transport is replaced: Firebase Auth's pop-up
 * code in the app, the Auth emulator's helper frame (/emulator/auth/iframe) and its IdP
 * page (/emulator/auth/handler) all run unchanged, and the ID token still comes from the
 * emulator's signInWithIdp. What Firebase uses of gapi.iframes: the app opens the helper
 * frame, pings it, registers "authEvent"; the frame finds its parent, registers
 * "webStorageSupport" and sends "authEvent". Each call is a postMessage answered with the
 * list of the handlers' results, as gapi does. Calls for a name not yet registered wait.
 */
(function () {
  "use strict";
  var MARK = "__gapiStandin";
  var channels = [];
  var nextId = 1;

  function Channel(target) {
    this.target = target; // a function returning the other window
    this.handlers = {};
    this.waiting = {}; // name -> calls that arrived before register()
    this.replies = {};
    this.ready = false;
    this.onReady = [];
    channels.push(this);
  }
  Channel.prototype.post = function (message) {
    var other = this.target();
    if (other) {
      message[MARK] = true;
      other.postMessage(message, "*");
    }
  };
  Channel.prototype.register = function (name, handler) {
    this.handlers[name] = handler;
    var queued = this.waiting[name] || [];
    delete this.waiting[name];
    for (var i = 0; i < queued.length; i++) this.answer(queued[i]);
  };
  Channel.prototype.send = function (name, data, callback) {
    var id = String(nextId++);
    if (callback) this.replies[id] = callback;
    this.post({ kind: "call", id: id, name: name, data: data });
  };
  Channel.prototype.answer = function (call) {
    var handler = this.handlers[call.name];
    if (!handler) {
      (this.waiting[call.name] = this.waiting[call.name] || []).push(call);
      return;
    }
    var self = this;
    Promise.resolve(handler(call.data)).then(function (result) {
      self.post({ kind: "reply", id: call.id, result: [result] });
    });
  };
  Channel.prototype.receive = function (message) {
    if (message.kind === "ready") {
      if (!this.ready) {
        this.ready = true;
        this.post({ kind: "ready" });
        var waiting = this.onReady;
        this.onReady = [];
        for (var i = 0; i < waiting.length; i++) waiting[i]();
      }
    } else if (message.kind === "call") {
      this.answer(message);
    } else if (message.kind === "reply") {
      var callback = this.replies[message.id];
      delete this.replies[message.id];
      if (callback) callback(message.result);
    }
  };

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || typeof message !== "object" || !message[MARK]) return;
    for (var i = 0; i < channels.length; i++) {
      if (channels[i].target() === event.source) channels[i].receive(message);
    }
  });

  function applyAttributes(element, attributes) {
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "style") Object.assign(element.style, attributes.style);
      else element.setAttribute(key, String(attributes[key]));
    });
  }

  var context = {
    // The app's side: open the helper frame; `onOpen(iframe)` decides what open() resolves to.
    open: function (options, onOpen) {
      var element = document.createElement("iframe");
      applyAttributes(element, options.attributes);
      var channel = new Channel(function () {
        return element.contentWindow;
      });
      var iframe = {
        restyle: function () {
          return Promise.resolve();
        },
        ping: function (callback) {
          return new Promise(function (resolve) {
            function done() {
              if (callback) callback();
              resolve();
            }
            if (channel.ready) done();
            else channel.onReady.push(done);
          });
        },
        register: function (name, handler) {
          channel.register(name, handler);
        },
        send: function (name, data, callback) {
          channel.send(name, data, callback);
        },
      };
      element.src = options.url;
      (options.where || document.body).appendChild(element);
      return Promise.resolve(onOpen ? onOpen(iframe) : iframe);
    },
    // The helper frame's side: talk to the page that opened it.
    getParentIframe: function () {
      var channel = new Channel(function () {
        return window.parent;
      });
      channel.post({ kind: "ready" });
      return {
        register: function (name, handler) {
          channel.register(name, handler);
        },
        send: function (name, data, callback) {
          channel.send(name, data, callback);
        },
      };
    },
  };

  window.gapi = {
    load: function (_name, options) {
      var callback = typeof options === "function" ? options : options && options.callback;
      setTimeout(function () {
        if (callback) callback();
      }, 0);
    },
    iframes: {
      CROSS_ORIGIN_IFRAMES_FILTER: function () {
        return true;
      },
      Iframe: function () {},
      getContext: function () {
        return context;
      },
    },
  };

  // api.js calls `?onload=<name>` (the Firebase SDK) or `gapi_onload` (the emulator's frame).
  var script = document.currentScript;
  var onload = script ? new URL(script.src).searchParams.get("onload") : null;
  setTimeout(function () {
    if (onload && typeof window[onload] === "function") window[onload]();
    if (typeof window.gapi_onload === "function") window.gapi_onload();
  }, 0);
})();
