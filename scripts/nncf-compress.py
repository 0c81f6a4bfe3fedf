"""Compresses an OpenVINO IR directory's weights with NNCF, as optimum-intel's exports do.

usage: nncf-compress.py SRC_DIR DST_DIR MODE [GROUP_SIZE]
MODE: int8_asym, int8_sym, int4_sym or int4_asym. The tokenizer and config files are copied.
"""
import glob
import os
import shutil
import sys

import nncf
import openvino as ov


def main(src, dst, mode, group_size=128):
    modes = {
        "int8_asym": dict(mode=nncf.CompressWeightsMode.INT8_ASYM),
        "int8_sym": dict(mode=nncf.CompressWeightsMode.INT8_SYM),
        "int4_sym": dict(mode=nncf.CompressWeightsMode.INT4_SYM, group_size=int(group_size), ratio=1.0),
        "int4_asym": dict(mode=nncf.CompressWeightsMode.INT4_ASYM, group_size=int(group_size), ratio=1.0),
    }
    if mode not in modes:
        sys.exit(f"unknown mode {mode!r}; expected one of {', '.join(modes)}")
    model = ov.Core().read_model(os.path.join(src, "openvino_model.xml"))
    compressed = nncf.compress_weights(model, **modes[mode])
    os.makedirs(dst, exist_ok=True)
    ov.save_model(compressed, os.path.join(dst, "openvino_model.xml"), compress_to_fp16=False)
    for f in glob.glob(os.path.join(src, "*.json")) + glob.glob(os.path.join(src, "*.txt")):
        shutil.copy(f, dst)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
