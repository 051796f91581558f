import Hummingbird
import OpenAPIRuntime
import Metrics
import Prometheus
import HummingbirdWebSocket

