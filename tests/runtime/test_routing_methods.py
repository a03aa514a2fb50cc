"""Routing: methods, 405 + Allow, HEAD, root, RBR templates incl. regexes across slashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.runtime.router import Router, template_regex

from .runtime_support import make_client

MODULE = """\
def show(globs, request):
    return repr(sorted((k, v) for k, v in request.match.items()))
"""


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    spec = {
        'root': '/api',
        'paths': {
            'home': {'url': '/', 'use': 'python:routemod.show'},
            'multi': {'url': '/multi', 'method': 'PUT|GET|POST', 'use': 'python:routemod.show'},
            'post_only': {'url': '/post', 'method': 'POST', 'use': 'python:routemod.show'},
            'item': {'url': '/items/{id}', 'use': 'python:routemod.show'},
            'digits': {'url': '/num/{n:[0-9]+}', 'use': 'python:routemod.show'},
            'sio': {
                'url': '/socket.io/{transport:.*?}',
                'method': 'GET|POST',
                'use': 'python:routemod.show',
            },
            'js': {'url': '/js/{name}', 'use': 'python:routemod.show'},
            'two': {'url': '/a/{x}/b/{y:.+}', 'use': 'python:routemod.show'},
            'static_wins': {'url': '/items/special', 'use': 'python:routemod.show'},
            'split_get': {'url': '/split/{k}', 'method': 'GET', 'use': 'python:routemod.show'},
            'split_del': {'url': '/split/{key}', 'method': 'DELETE', 'use': 'python:routemod.show'},
        },
    }
    return make_client(tmp_path, spec, {'routemod.py': MODULE})


def test_root_prefix_and_url_slash_is_the_root_itself(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/api').text == "[('action', 'home')]"
    assert client.simulate_get('/api/').status_code == 404
    assert client.simulate_get('/').status_code == 404


def test_empty_method_list_means_get_and_head(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/api/items/3').status_code == 200
    head = client.simulate_head('/api/items/3')
    assert head.status_code == 200 and head.content == b''
    assert head.headers['content-length'] == str(len(client.simulate_get('/api/items/3').content))


def test_several_methods_and_405_with_allow(client) -> None:  # noqa: ANN001
    for method in ('PUT', 'GET', 'POST'):
        assert client.simulate_request(method, '/api/multi').status_code == 200
    refused = client.simulate_delete('/api/multi')
    assert refused.status_code == 405
    assert refused.headers['allow'] == 'GET, HEAD, POST, PUT, OPTIONS'
    assert refused.headers['content-type'] == 'application/problem+json'
    assert refused.json['status'] == 405
    post_only = client.simulate_get('/api/post')
    assert post_only.status_code == 405 and post_only.headers['allow'] == 'POST, OPTIONS'
    assert client.simulate_head('/api/post').status_code == 405


def test_options_lists_methods(client) -> None:  # noqa: ANN001
    answer = client.simulate_options('/api/multi')
    assert answer.status_code == 200 and 'PUT' in answer.headers['allow']


def test_placeholders_and_regexes(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/api/items/42').text == "[('action', 'item'), ('id', '42')]"
    assert client.simulate_get('/api/items/4/2').status_code == 404  # {id} is one segment
    assert client.simulate_get('/api/num/123').status_code == 200
    assert client.simulate_get('/api/num/12a').status_code == 404
    answer = client.simulate_get('/api/a/1/b/x/y/z')
    assert answer.text == "[('action', 'two'), ('x', '1'), ('y', 'x/y/z')]"


def test_regex_spanning_slashes(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/api/socket.io/1/xhr-polling/123')
    assert answer.text == "[('action', 'sio'), ('transport', '1/xhr-polling/123')]"
    assert client.simulate_get('/api/socket.io/').text == "[('action', 'sio'), ('transport', '')]"
    assert client.simulate_get('/api/js/app.js').text == "[('action', 'js'), ('name', 'app.js')]"


def test_literal_route_wins_over_placeholder(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/api/items/special').text == "[('action', 'static_wins')]"


def test_one_url_split_over_two_paths_by_method(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/api/split/7').text == "[('action', 'split_get'), ('k', '7')]"
    deleted = client.simulate_delete('/api/split/7')
    assert deleted.text == "[('action', 'split_del'), ('key', '7')]"
    refused = client.simulate_post('/api/split/7')
    assert refused.status_code == 405 and refused.headers['allow'] == 'DELETE, GET, HEAD, OPTIONS'


def test_unknown_path_is_a_problem(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/api/nothing/here')
    assert answer.status_code == 404
    assert answer.headers['content-type'] == 'application/problem+json'
    assert answer.json['title'] == 'Not Found'


def test_router_accepts_ordinary_falcon_resources() -> None:
    class Page:
        def on_get(self, req, resp):  # noqa: ANN001, ANN202
            resp.text = 'page'

    router = Router()
    router.add_route('/__doc__', Page())
    resource, method_map, params, template = router.find('/__doc__')
    assert isinstance(resource, Page) and template == '/__doc__' and params == {}
    assert {'GET', 'HEAD', 'OPTIONS'} <= set(method_map)
    assert router.find('/__doc__/x') is None


def test_template_regex() -> None:
    assert template_regex('/js/{name}').fullmatch('/js/a.js')['name'] == 'a.js'
    assert template_regex('/x/{id:[0-9]{3}}').fullmatch('/x/123')['id'] == '123'
    assert template_regex('/x/{id:[0-9]{3}}').fullmatch('/x/1234') is None
    assert template_regex('/a.b').fullmatch('/aXb') is None


def test_a_template_added_again_keeps_its_place_before_later_ones() -> None:
    def first(req, resp, **params):  # noqa: ANN001, ANN003, ANN202
        return 'first', params

    def later(req, resp, **params):  # noqa: ANN001, ANN003, ANN202
        return 'later', params

    def again(req, resp, **params):  # noqa: ANN001, ANN003, ANN202
        return 'again', params

    router = Router()
    router.add_route('/a/{x}', object(), method_map={'GET': first})
    router.add_route('/{anything:.+}', object(), method_map={'GET': later})
    router.add_route('/a/{z}', object(), method_map={'DELETE': again})
    resource, method_map, params, template = router.find('/a/1')
    assert template == '/a/{x}' and params == {'x': '1'}
    assert method_map['GET'](None, None, **params) == ('first', {'x': '1'})
    assert method_map['DELETE'](None, None, **params) == ('again', {'z': '1'})
    assert router.find('/b/1')[3] == '/{anything:.+}'
    assert router.templates == ['/a/{x}', '/{anything:.+}']
