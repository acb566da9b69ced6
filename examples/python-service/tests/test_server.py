import json
import threading
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest


@pytest.fixture
def base_url():
    from converter.server import make_server

    server = make_server(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_CONV_2_AC1_converts_over_http(base_url):
    with urlopen(f"{base_url}/convert?c=100") as response:
        assert response.status == 200
        assert json.load(response) == {"f": 212.0}


def test_CONV_2_AC2_rejects_a_non_number(base_url):
    with pytest.raises(HTTPError) as error:
        urlopen(f"{base_url}/convert?c=warm")
    assert error.value.code == 400
