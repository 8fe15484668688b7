"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from domain.analytics import indexes as analytics
from domain.analytics import rollup
from domain.audit import models as audit
from domain.catalog import models as catalog
from domain.customers import models as customers
from domain.db import Base
from domain.documents import models as documents
from domain.events import models as events
from domain.forecasting import models as forecasting
from domain.fulfillment import models as fulfillment
from domain.inventory import models as inventory
from domain.limits import models as limits
from domain.notifications import models as notifications
from domain.orders import approval_models as approvals
from domain.orders import edit_sessions as order_edits
from domain.orders import models as orders
from domain.purchasing import models as purchasing
from domain.refunds import models as refunds
from domain.returns import models as returns
from domain.risk import models as risk
from domain.shipping import models as shipping
from domain.tenancy import models as tenancy
from domain.webhooks import models as webhooks

metadata = Base.metadata

__all__ = [
    "analytics",
    "approvals",
    "audit",
    "catalog",
    "customers",
    "documents",
    "events",
    "forecasting",
    "fulfillment",
    "inventory",
    "limits",
    "metadata",
    "notifications",
    "order_edits",
    "orders",
    "purchasing",
    "refunds",
    "returns",
    "risk",
    "rollup",
    "shipping",
    "tenancy",
    "webhooks",
]
