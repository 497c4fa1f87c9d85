"""The Nameko entrypoints of the wallet service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class WalletService(ServiceBase):
    name = "wallet"
