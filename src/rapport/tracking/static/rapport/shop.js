// The demo shop's behaviour: cart, checkout, sign-in and the consent banner, each
// step told to Rapport through rapport.js the way a real shop would (Segment
// e-commerce spec v2). A static file because the CSP forbids inline script.
(function () {
  "use strict";

  var CART = "nordlicht_cart";
  var USER = "nordlicht_user";
  // The shop's terms come from the page, which has them from the demo's catalogue.
  var terms = document.body.dataset;
  var CURRENCY = terms.currency || "EUR";
  var FREE_SHIPPING = parseFloat(terms.freeShippingFrom || "30");
  var SHIPPING = parseFloat(terms.shipping || "4.90");

  // The shop works without tracking (no source in the demo): every call goes here.
  function rapport(method) {
    var r = window.rapport;
    if (r && typeof r[method] === "function") r[method].apply(r, [].slice.call(arguments, 1));
  }

  function $(id) { return document.getElementById(id); }

  function money(n) { return "€" + n.toFixed(2); }

  function round(n) { return Math.round(n * 100) / 100; }

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function keep(key, value) {
    try {
      if (value == null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage off: the cart lives as long as the page */ }
  }

  function productOf(element) {
    var el = element.closest("[data-product]");
    return {
      product_id: el.dataset.productId,
      sku: el.dataset.sku,
      name: el.dataset.name,
      category: el.dataset.category,
      brand: "Nordlicht Coffee",
      price: parseFloat(el.dataset.price),
      currency: CURRENCY
    };
  }

  var cart = load(CART, []);

  function totals() {
    var subtotal = round(cart.reduce(function (sum, line) { return sum + line.price * line.quantity; }, 0));
    var shipping = subtotal === 0 || subtotal >= FREE_SHIPPING ? 0 : SHIPPING;
    return { subtotal: subtotal, shipping: shipping, total: round(subtotal + shipping) };
  }

  function render() {
    var list = $("cart-items");
    var count = 0;
    list.textContent = "";
    cart.forEach(function (line, index) {
      count += line.quantity;
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = line.quantity + " × " + line.name;
      var price = document.createElement("span");
      price.className = "line-price";
      price.textContent = money(line.price * line.quantity);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + line.name);
      remove.dataset.removeLine = String(index);
      item.append(name, price, remove);
      list.append(item);
    });
    var t = totals();
    $("cart-count").textContent = String(count);
    $("cart-empty").hidden = cart.length > 0;
    $("cart-totals").hidden = cart.length === 0;
    $("cart-subtotal").textContent = money(t.subtotal);
    $("cart-shipping").textContent = t.shipping ? money(t.shipping) : "free";
    $("cart-total").textContent = money(t.total);
    $("checkout").disabled = cart.length === 0;
    keep(CART, cart);
  }

  function add(product) {
    var line = cart.find(function (l) { return l.product_id === product.product_id; });
    if (line) line.quantity += 1;
    else cart.push(Object.assign({ quantity: 1 }, product));
    rapport("track", "Product Added", Object.assign({ quantity: 1, cart_id: cartId() }, product));
    $("order-done").hidden = true;
    render();
  }

  function cartId() {
    var id = load(CART + "_id", null);
    if (!id) {
      id = "cart-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
      keep(CART + "_id", id);
    }
    return id;
  }

  function orderProducts() {
    return cart.map(function (l) {
      return { product_id: l.product_id, sku: l.sku, name: l.name, category: l.category, price: l.price, quantity: l.quantity };
    });
  }

  function checkout() {
    if (!cart.length) return;
    var t = totals();
    var orderId = "NL-" + Date.now().toString().slice(-8);
    var order = {
      order_id: orderId,
      cart_id: cartId(),
      affiliation: "Nordlicht web shop",
      total: t.total,
      revenue: t.subtotal, // without shipping, as the spec defines revenue
      shipping: t.shipping,
      tax: 0, // prices include VAT
      currency: CURRENCY,
      products: orderProducts()
    };
    rapport("track", "Checkout Started", {
      order_id: orderId, value: t.total, revenue: t.subtotal, shipping: t.shipping, currency: CURRENCY,
      products: order.products
    });
    rapport("track", "Order Completed", order);
    rapport("flush");
    cart = [];
    keep(CART + "_id", null);
    render();
    var done = $("order-done");
    done.textContent = "Thank you! Order " + orderId + " is on its way (" + money(t.total) + ").";
    done.hidden = false;
  }

  function showUser(email) {
    $("signin").hidden = !!email;
    $("signed-in").hidden = !email;
    $("signed-in-email").textContent = email || "";
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-add-to-cart]")) add(productOf(target));
    var remove = target.closest("[data-remove-line]");
    if (remove) {
      var line = cart.splice(parseInt(remove.dataset.removeLine, 10), 1)[0];
      if (line) rapport("track", "Product Removed", Object.assign({}, line, { cart_id: cartId() }));
      render();
    }
    if (target.closest("#checkout")) checkout();
    if (target.closest("#signout")) {
      rapport("track", "Signed Out");
      rapport("flush");
      rapport("reset");
      keep(USER, null);
      showUser(null);
    }
    if (target.closest("#consent-accept") || target.closest("#consent-decline")) {
      rapport("consent", !!target.closest("#consent-accept"));
      $("consent-banner").hidden = true;
    }
  });

  $("signin").addEventListener("submit", function (event) {
    event.preventDefault();
    var email = $("signin-email").value.trim().toLowerCase();
    if (!email) return;
    // The demo has no customer database: the email is the customer's id.
    rapport("identify", email, { email: email });
    keep(USER, email);
    showUser(email);
  });

  // A product page: the product was opened.
  var viewed = document.querySelector("[data-viewed]");
  if (viewed) rapport("track", "Product Viewed", productOf(viewed));

  // The banner shows only when the workspace (or ?consent=required) asks for consent
  // and this visitor has not answered yet; rapport.js knows both once it has loaded.
  rapport("ready", function (state) {
    $("consent-banner").hidden = !(state.requireConsent && state.consent === null && !state.dnt);
  });

  showUser(load(USER, null));
  render();
})();
