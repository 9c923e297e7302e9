"""Flask extensions, created unbound; `create_app` binds them with `init_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from tenant_app.api_contract import (
    ContractPlugin,
    Int32Converter,
    bound_page_numbers,
    numeric_properties,
    pagination_header,
    register_error_responses,
)
from tenant_app.schemas.common import ApiErrorSchema

# Deterministic constraint names keep alembic autogenerate and downgrades stable.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class KpiApi(Api):
    """flask-smorest Api whose HTTP errors are rendered by our own handlers (HTML or JSON).

    Its document keeps the contract of ``tenant_app.api_contract``: the real error envelope on
    every declared error, numbers as numbers, operationIds and links between operations.
    """

    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self):
        return None

    def init_app(self, app, **kwargs):
        app.url_map.converters["int"] = Int32Converter
        super().init_app(app, **kwargs)

    def _init_spec(self, **kwargs):
        self.contract = ContractPlugin()
        kwargs["extra_plugins"] = [*(kwargs.get("extra_plugins") or ()), self.contract]
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(numeric_properties)

    def _register_responses(self):
        register_error_responses(self.spec, self.ERROR_SCHEMA, self.DEFAULT_RESPONSE_CONTENT_TYPE)

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", pagination_header(), lazy=True)

    def link(self) -> None:
        """Add the links between operations, once every blueprint is registered.

        Linking looks at every pair of operations: done after each blueprint it made building an
        app quadratic in the number of blueprints (a tenth of a second per app).
        """
        self.contract.link()


# Objects stay readable after commit: a commit inside a tenant context must not force a reload
# (which would run under whatever context is current then).
db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING), session_options={"expire_on_commit": False}
)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
bound_page_numbers()
api = KpiApi()
