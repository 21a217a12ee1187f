"""Commerce tables: the product catalogue, carts, orders and per-customer metrics."""

from .carts import Cart, CartItem, CartStatus
from .catalogue import Product
from .metrics import CustomerMetrics
from .orders import COUNTED, Order, OrderItem, OrderStatus

__all__ = [
    "COUNTED",
    "Cart",
    "CartItem",
    "CartStatus",
    "CustomerMetrics",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Product",
]
