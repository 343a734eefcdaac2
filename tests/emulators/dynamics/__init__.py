"""A loopback emulator of one Dynamics 365 tenant: Entra ID, Dataverse and Graph."""

from tests.emulators.dynamics.environment import SAMPLE, App, Environment
from tests.emulators.dynamics.server import GRAPH_RESOURCE, DynamicsEmulator
from tests.emulators.dynamics.wire import Fault, Logged, dataverse_error, graph_error

__all__ = [
    "GRAPH_RESOURCE",
    "SAMPLE",
    "App",
    "DynamicsEmulator",
    "Environment",
    "Fault",
    "Logged",
    "dataverse_error",
    "graph_error",
]
