#!/usr/bin/env bash
# Regenerates the bad-input corpus of Tests/TributaryCLITests/BadInputCorpusTests.swift (the files are committed;
# run this only to change them). Needs python3 with numpy, h5py and Pillow (generation-time tools only), and a
# built tributary ($TRIBUTARY_BIN, default .build/debug/tributary) to make the valid HDF5 files the bad ones
# are derived from.
#
#   bash Tests/bad-inputs/make.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${TRIBUTARY_BIN:-$root/.build/debug/tributary}"
[ -x "$bin" ] || { echo "make.sh: no tributary at $bin; build first (swift build) or set TRIBUTARY_BIN" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Valid base files: a tiny run of the pipeline runner (4 synthetic 24×24 images; 30 short documents).
python3 - "$work" <<'EOF'
import sys, random
w = sys.argv[1]
random.seed(1)
words = {'sport': 'goal match team player score win'.split(), 'tech': 'computer software chip network data code'.split(),
         'food': 'bread cheese wine apple soup salt'.split()}
with open(f'{w}/texts.csv', 'w') as f:
    f.write('text,label\n')
    for i in range(30):
        c = list(words)[i % 3]
        f.write(' '.join(random.choice(words[c]) for _ in range(6)) + ',' + c + '\n')
open(f'{w}/cfg.json', 'w').write('''{"out": "%s/out", "datasets": {"img": {"kind": "synthetic", "count": 4, "width": 24, "height": 24, "seed": 1},
 "txt": {"kind": "csv", "data": "%s/texts.csv"}},
 "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2}},
 {"name": "split", "type": "split", "inputs": {"fv": "fv"}, "params": {"test_fraction": 0.5}},
 {"name": "lstm", "type": "train-text", "dataset": "txt", "params": {"epochs": 1, "embedding_size": 4, "hidden_size": 3, "context_size": 3, "vocab_size": 50, "min_count": 1}},
 {"name": "embed", "type": "embed", "dataset": "txt", "inputs": {"model": "lstm"}},
 {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 2}}]}''' % (w, w))
EOF
"$bin" run "$work/cfg.json" --quiet >/dev/null

python3 - "$here" "$work" "$root" <<'EOF'
import io, json, os, shutil, struct, sys, tarfile, zlib
import h5py, numpy as np
from PIL import Image

here, work, root = sys.argv[1:4]
out = f'{work}/out'
for sub in ['images', 'hdf5', 'text', 'graphs']:  # configs/ is written by hand
    shutil.rmtree(f'{here}/{sub}', ignore_errors=True)
    os.makedirs(f'{here}/{sub}')

def png(width, height, seed=0):
    """A valid RGB PNG with smooth gradients (compresses to a few hundred bytes)."""
    raw = b''.join(b'\0' + bytes(((x * 7 + y * 3 + seed * 40) % 256, (x * 2 + seed * 90) % 256, (y * 5) % 256)[c]
                                  for x in range(width) for c in range(3)) for y in range(height))
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))

def jpeg(width, height):
    b = io.BytesIO()
    Image.new('RGB', (width, height), (120, 60, 200)).save(b, 'JPEG', quality=50)
    return b.getvalue()

good = png(40, 40, 1)
# --- images: folder datasets with a labels.csv, two good images and one bad one -----------------------------
def image_case(name, bad_name, bad_bytes, csv=None):
    d = f'{here}/images/{name}'
    os.makedirs(d)
    open(f'{d}/good-a.png', 'wb').write(png(40, 40, 1))
    open(f'{d}/good-b.png', 'wb').write(png(40, 40, 2))
    if bad_name:
        open(f'{d}/{bad_name}', 'wb').write(bad_bytes)
    rows = csv if csv is not None else f'filename,label\ngood-a.png,a\ngood-b.png,b\n{bad_name},a\n'
    open(f'{d}/labels.csv', 'w').write(rows)

idat = good.index(b'IDAT')
image_case('png-truncated', 'bad.png', good[:idat + 20])
corrupt = bytearray(good); corrupt[idat + 12:idat + 40] = bytes(28); image_case('png-corrupt-idat', 'bad.png', bytes(corrupt))
image_case('png-not-a-png', 'bad.png', b'this is a text file, not an image\n')
image_case('png-empty', 'bad.png', b'')
image_case('png-header-only', 'bad.png', good[:33])
image_case('png-huge-dimensions', 'bad.png', shutil.os.read(os.open(f'{root}/Tests/DatasetsTests/Fixtures/huge.png', os.O_RDONLY), 4096))
# 16384² pixels (exactly the 2^28-pixel cap) in 32 KB: 1-bit gray, all black. Decoding it and its feature planes
# needs about 15 GiB, so the memory budget (the case's config sets "memory": "1GiB") refuses it before decoding.
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
sparse = 16384
image_case('png-over-memory-budget', 'bad.png', b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', sparse, sparse, 1, 0, 0, 0, 0))
           + chunk(b'IDAT', zlib.compress((b'\x00' * (1 + sparse // 8)) * sparse, 9)) + chunk(b'IEND', b''))
j = jpeg(40, 40)
image_case('jpeg-truncated', 'bad.jpg', j[:len(j) // 3])
image_case('jpeg-garbage', 'bad.jpg', bytes((i * 37 + 11) % 256 for i in range(600)))
image_case('jpeg-empty', 'bad.jpg', b'')
image_case('jpeg-no-start-marker', 'bad.jpg', j[2:])
image_case('image-smaller-than-a-patch', 'bad.png', png(4, 4))
image_case('image-unsupported-format', 'bad.gif', b'GIF89a\x01\x00\x01\x00\x00\x00\x00;')
image_case('csv-names-a-missing-image', None, None, 'filename,label\ngood-a.png,a\ngood-b.png,b\nnot-there.png,a\n')
image_case('csv-header-only', None, None, 'filename,label\n')
image_case('csv-missing-label-column', None, None, 'filename,kind\ngood-a.png,a\ngood-b.png,b\n')
image_case('csv-unterminated-quote', None, None, 'filename,label\ngood-a.png,a\n"good-b.png,b\n')
os.makedirs(f'{here}/images/folder-without-images/empty-class')
open(f'{here}/images/folder-without-images/empty-class/README.txt', 'w').write('no images here\n')
# tar archives
def tar_case(name, members, mode='w'):
    path = f'{here}/images/{name}'
    with tarfile.open(path, mode) as t:
        for member, data in members:
            info = tarfile.TarInfo(member); info.size = len(data); info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return path
p = tar_case('tar-truncated.tar', [('labels.csv', b'filename,label\na.png,a\nb.png,b\n'), ('a.png', good), ('b.png', png(40, 40, 2))])
data = open(p, 'rb').read(); open(p, 'wb').write(data[:1700])
tar_case('tar-without-labels.tar', [('a.png', good), ('b.png', png(40, 40, 2))])
p = tar_case('tar-gzip-corrupt.tar.gz', [('labels.csv', b'filename,label\na.png,a\n'), ('a.png', good)], 'w:gz')
data = bytearray(open(p, 'rb').read()); data[30:60] = bytes(30); open(p, 'wb').write(bytes(data))
# A gzip bomb: bad.png inflates to 64 MiB of zeros (the .tar.gz is ~65 KB); read under an 8 MiB budget it must
# be refused before it is read (docs/reliability.md, "Archives in bounded memory").
tar_case('tar-gzip-member-over-memory-budget.tar.gz', [('labels.csv', b'filename,label\na.png,a\nbad.png,b\n'), ('a.png', good),
         ('bad.png', bytes(64 << 20))], 'w:gz')

# --- hdf5: standalone copies (no virtual datasets) of valid files, then broken ------------------------------
def materialise(src, dst, edit=None):
    with h5py.File(src, 'r') as s, h5py.File(dst, 'w', track_order=True) as d:
        for k, v in s.attrs.items(): d.attrs[k] = v
        def copy(name, obj):
            if isinstance(obj, h5py.Dataset):
                d.create_dataset(name, data=obj[()])
                for k, v in obj.attrs.items(): d[name].attrs[k] = v
        s.visititems(copy)
        if edit: edit(d)

def hdf5_case(name, src, filename, edit=None, raw=None):
    d = f'{here}/hdf5/{name}'
    os.makedirs(d)
    path = f'{d}/{filename}'
    if raw is not None:
        open(path, 'wb').write(raw)
    else:
        materialise(src, path, edit)

desc = f'{out}/fv/descriptors.h5'
tmp = f'{work}/desc.h5'; materialise(desc, tmp); valid_desc = open(tmp, 'rb').read()
def set_attr(k, v):
    def f(d): d.attrs[k] = v
    return f
def replace(name, fn):
    def f(d):
        a = d[name][()]; del d[name]; d.create_dataset(name, data=fn(a))
    return f
def delete(name):
    def f(d): del d[name]
    return f
def delete_attr(k):
    def f(d): del d.attrs[k]
    return f
def nan_at(a, v=np.nan):
    a = a.astype(a.dtype); a.flat[min(5, a.size - 1)] = v; return a
hdf5_case('descriptors-empty-file', None, 'descriptors.h5', raw=b'')
hdf5_case('descriptors-not-hdf5', None, 'descriptors.h5', raw=b'x,y\n1,2\n')
hdf5_case('descriptors-truncated', None, 'descriptors.h5', raw=valid_desc[:len(valid_desc) // 2])
hdf5_case('descriptors-wrong-format-attr', desc, 'descriptors.h5', set_attr('format', 'numpy'))
hdf5_case('descriptors-wrong-stage-attr', desc, 'descriptors.h5', set_attr('stage', 'encode'))
hdf5_case('descriptors-wrong-version', desc, 'descriptors.h5', set_attr('version', np.int64(99)))
hdf5_case('descriptors-missing-version', desc, 'descriptors.h5', delete_attr('version'))
hdf5_case('descriptors-missing-dataset', desc, 'descriptors.h5', delete('orh'))
hdf5_case('descriptors-nan', desc, 'descriptors.h5', replace('orh', nan_at))
hdf5_case('descriptors-inf', desc, 'descriptors.h5', replace('col', lambda a: nan_at(a, np.inf)))
hdf5_case('descriptors-wrong-shape', desc, 'descriptors.h5', replace('orh', lambda a: a[:, :100]))
emb = f'{out}/embed/embeddings.h5'
hdf5_case('embeddings-one-dimensional', emb, 'embeddings.h5', replace('embeddings', lambda a: a.reshape(-1)))
hdf5_case('embeddings-wrong-stage', emb, 'embeddings.h5', set_attr('stage', 'extract'))
hdf5_case('embeddings-nan', emb, 'embeddings.h5', replace('embeddings', nan_at))
hdf5_case('embeddings-missing-dataset', emb, 'embeddings.h5', delete('embeddings'))
hdf5_case('embeddings-integer-type', emb, 'embeddings.h5', replace('embeddings', lambda a: a.astype(np.int32)))
def trillion_rows(d):  # 'embeddings' declares 10^12 rows in unwritten chunks: a few KB on disk, 11 TiB to read
    del d['embeddings']; d.create_dataset('embeddings', shape=(10**12, 3), maxshape=(None, 3), chunks=(1024, 3), dtype='<f4')
hdf5_case('embeddings-trillion-rows', emb, 'embeddings.h5', trillion_rows)
fv = f'{out}/fv/fv.h5'
csv_rows = open(f'{out}/split/images.csv').read()
def fv_case(name, edit):
    hdf5_case(name, fv, 'fv.h5', edit)
    open(f'{here}/hdf5/{name}/images.csv', 'w').write(csv_rows)
fv_case('fv-nan', replace('fv/orh/1x1', nan_at))
fv_case('fv-wrong-stage', set_attr('stage', 'extract'))
fv_case('fv-wrong-row-count', replace('fv/col/2x2', lambda a: a[:-1]))
model = f'{out}/lstm/model.h5'
hdf5_case('model-truncated', None, 'model.h5', raw=open(model, 'rb').read()[:3000])
hdf5_case('model-is-an-embeddings-file', emb, 'model.h5')
shutil.copy(f'{work}/texts.csv', f'{here}/hdf5/texts.csv')

# --- text corpora -------------------------------------------------------------------------------------------
texts = {
    'all-texts-empty.csv': 'text,label\n,a\n!!!,b\n  ,a\n',
    'empty-file.csv': '',
    'header-only.csv': 'text,label\n',
    'missing-text-column.csv': 'body,label\nhello world,a\n',
    'missing-label-column.csv': 'text,class\nhello world,a\n',
    'unterminated-quote.csv': 'text,label\n"hello world,a\n',
    'wrong-field-count.csv': 'text,label\nhello world,a,extra\n',
    'empty-label.csv': 'text,label\nhello world,\n',
    'debian-garbage.txt': 'this is not\nan apt-cache dumpavail output\n',
    'debian-empty.txt': '',
    'unknown-label.csv': 'text,label\ngoal match team,sport\nbread cheese wine,cooking\n',
}
for name, body in texts.items():
    open(f'{here}/text/{name}', 'w').write(body)
shutil.copy(f'{work}/texts.csv', f'{here}/text/good.csv')

# --- label graphs -------------------------------------------------------------------------------------------
graphs = {
    'cycle.graph': 'node entity root\nnode a label datasets=d\nnode b label datasets=d\nedge entity a\nedge a b\nedge b a\n',
    'unreachable.graph': 'node entity root\nnode a label datasets=d\nnode b label datasets=d\nedge entity a\n',
    'unknown-label.graph': 'node entity root\nnode a label datasets=d\nedge entity a\nedge a zebra\n',
    'two-roots.graph': 'node entity root\nnode thing root\nnode a label datasets=d\nedge entity a\n',
    'empty.graph': '',
}
for name, body in graphs.items():
    open(f'{here}/graphs/{name}', 'w').write(body)
# --- bad text, archives and paths (docs/reliability.md "Bad text, archives and paths") ---------------------
# Text that is not UTF-8 or holds a NUL must be refused, naming the line and byte offset; a CSV must not name
# files outside the dataset folder; tar headers with hostile sizes must throw, never trap.
def raw_image_case(name, csv_bytes):
    d = f'{here}/images/{name}'
    os.makedirs(d)
    open(f'{d}/good-a.png', 'wb').write(png(40, 40, 1))
    open(f'{d}/good-b.png', 'wb').write(png(40, 40, 2))
    open(f'{d}/labels.csv', 'wb').write(csv_bytes)
raw_image_case('csv-latin1-labels', 'filename,label\ngood-a.png,café\ngood-b.png,cafè\n'.encode('latin-1'))
raw_image_case('csv-nul-in-label', b'filename,label\ngood-a.png,a\0x\ngood-b.png,a\0y\n')
raw_image_case('csv-names-a-host-file', b'filename,label\ngood-a.png,a\ngood-b.png,b\n/etc/passwd,a\n')
raw_image_case('csv-path-escapes-the-folder', b'filename,label\ngood-a.png,a\ngood-b.png,b\n../csv-latin1-labels/good-a.png,a\n')
def tar_header(name, size_field, typeflag=b'0'):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'0000644\0'; h[108:116] = b'0000000\0'; h[116:124] = b'0000000\0'
    h[124:136] = size_field
    h[136:148] = b'00000000000\0'
    h[156:157] = typeflag
    h[257:263] = b'ustar\0'; h[263:265] = b'00'
    h[148:156] = b' ' * 8
    h[148:156] = ('%06o\0 ' % sum(h)).encode()
    return bytes(h)
labels = b'filename,label\na.png,a\n'
def padded(data): return data + bytes(-len(data) % 512)
base = tar_header(b'labels.csv', ('%011o\0' % len(labels)).encode()) + padded(labels)
# GNU base-256 sizes: one far larger than the archive, one negative (0xFF…), one above Int.max.
open(f'{here}/images/tar-base256-size.tar', 'wb').write(base + tar_header(b'a.png', b'\x80' + bytes(3) + b'\x01' + bytes(7)) + bytes(1024))
open(f'{here}/images/tar-base256-negative-size.tar', 'wb').write(base + tar_header(b'a.png', b'\xff' * 12) + bytes(1024))
open(f'{here}/images/tar-base256-size-above-int-max.tar', 'wb').write(base + tar_header(b'a.png', b'\x80' + b'\xff' * 11) + bytes(1024))
open(f'{here}/images/tar-latin1-entry-name.tar', 'wb').write(tar_header('café.png'.encode('latin-1'), b'00000000000\0') + base + bytes(1024))
# Text corpora: a Latin-1 label, a NUL inside a label, a Debian dump with a Latin-1 section.
rows = 'text,label\n' + ''.join(f'goal match team player score {i},café\nbread cheese wine soup {i},cafè\n' for i in range(6))
open(f'{here}/text/latin1-labels.csv', 'wb').write(rows.encode('latin-1'))
open(f'{here}/text/nul-in-label.csv', 'wb').write(b'text,label\n' + b''.join(b'goal match team %d,a\0x\nbread cheese wine %d,a\0y\n' % (i, i) for i in range(6)))
open(f'{here}/text/debian-latin1-section.txt', 'wb').write(
    'Package: a\nSection: caf\xe9\nDescription: first package\n words here\n\nPackage: b\nSection: caf\xe8\nDescription: second\n more words\n'.encode('latin-1'))
# Label graphs: Latin-1 ids (two different labels, one U+FFFD name if replaced) and a NUL inside an id.
open(f'{here}/graphs/latin1-labels.graph', 'wb').write('node root root\nnode café label\nnode cafè label\nedge root café cafè\n'.encode('latin-1'))
open(f'{here}/graphs/nul-in-id.graph', 'wb').write(b'node root root\nnode a\0x label\nnode a\0y label\nedge root a\0x a\0y\n')
# A valid graph saved as Latin-1 (é = 0xE9): read through `tributary graph validate`, it must be reported as
# "not valid UTF-8" at its byte offset, not as a missing file.
open(f'{here}/graphs/latin1.graph', 'wb').write('node entity root\nnode café label datasets=d "Café"\nedge entity café\n'.encode('latin-1'))
print('make.sh: corpus written under', here)
EOF
