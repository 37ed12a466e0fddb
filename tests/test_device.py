import pytest
import torch

from coursecode import describe_device, get_device


def test_cpu_is_always_available():
    assert get_device("cpu") == torch.device("cpu")
    assert describe_device("cpu") == "CPU"


def test_automatic_choice_is_a_usable_device():
    device = get_device()
    assert torch.zeros(2, device=device).device.type == device.type


def test_prefers_cuda_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Test GPU")
    assert describe_device("cuda") == "GPU (Test GPU)"


def test_falls_back_when_preferred_device_is_missing(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device("cuda") == torch.device("cpu")
    assert get_device("mps") == torch.device("cpu")
    assert describe_device() == "CPU"


def test_uses_mps_when_it_is_the_only_accelerator(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device() == torch.device("mps")
    assert describe_device("mps") == "GPU (Apple MPS)"


def test_unknown_device_kind_is_refused():
    with pytest.raises(ValueError, match=r"unknown device kind 'tpu'"):
        get_device("tpu")
