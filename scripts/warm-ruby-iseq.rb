# Builds Ruby's install-time compile cache (docs/languages.md, "Install-time
# caches"); run by scripts/warm-caches.sh as
# `ruby warm-ruby-iseq.rb OUT FINAL DIR...`: it writes into OUT the cache of
# every .rb file under the DIRs, for use from FINAL (where OUT is moved).
#
# Every `require` of a library file makes Ruby parse and compile it again;
# MultiPL-E's test/unit alone is about 90 files. Ruby asks
# RubyVM::InstructionSequence.load_iseq(path) for a compiled form before it
# compiles a required file itself, so the cache holds, for every .rb file
# under the given directories, the instruction sequence `require` would
# build, in Ruby's own binary format, and OUT/boot.rb (loaded with `ruby -r`)
# defines load_iseq to return it. What a run could tell apart is ruled out
# here or there:
# - RubyVM::InstructionSequence.compile_file labels a file's top level
#   "<main>" where `require` says "<top (required)>" (backtraces show it);
#   the labels are rewritten in the binary, and the result must equal the
#   compiled file with only those labels changed (else the file is left out;
#   the comparison is between binary forms, since Ruby's binary format turns
#   the hidden names of anonymous parameters into symbols, which only
#   ISeq#to_a and #disasm show);
# - a file whose compilation warns (with every warning category on and
#   $VERBOSE true) is left out, so no warning is lost whatever the program
#   turns on, and so is a file with "<main>" in its code (not a comment);
# - boot.rb returns nothing (Ruby then compiles as usual) when the file's
#   inode, size or modification time changed, when the compile options are
#   not among those the cache was built for, when coverage is measured, when
#   $DEBUG, SCRIPT_LINES__ or RubyVM.keep_script_lines ask for what only a
#   fresh compilation gives, and when Ruby refuses the binary (another
#   Ruby build).
# What stays visible: RubyVM::InstructionSequence.load_iseq is defined, and
# boot.rb is in $LOADED_FEATURES until the first require (load_iseq takes it
# out); ISeq#to_a and #disasm of library code name anonymous parameters
# differently (see above).
require "fileutils"
require "ripper"

out, final, *roots = ARGV
abort "usage: warm-ruby-iseq.rb OUT FINAL DIR..." if final.nil? || roots.empty?
roots.each { |r| abort "warm-ruby-iseq.rb: #{r.inspect} is not an absolute directory" unless r.start_with?("/") && File.directory?(r) }

ISeq = RubyVM::InstructionSequence
LABEL = /\A((?:(?:block|rescue|ensure)(?: \(\d+ levels\))? in )?)<main>\z/.freeze

# The top-level labels of a binary made "<top (required)>": each string
# object that is such a label is appended, rewritten, after the object data,
# and its entry in the object offset table (moved after it) points there.
# Only one-byte lengths are handled; anything else gives nil.
def relabel(bin)
  magic, _major, _minor, size, extra, _nlist, nobj, _list_off, obj_off = bin.unpack("a4L8")
  return nil unless magic == "YARB" && extra.zero? && size == bin.bytesize && obj_off + 4 * nobj == size

  offsets = bin.byteslice(obj_off, 4 * nobj).unpack("L*")
  body = bin.byteslice(0, obj_off).b
  changed = false
  offsets.map!.with_index do |off, _i|
    hdr, enc, len = bin.getbyte(off), bin.getbyte(off + 1), bin.getbyte(off + 2)
    next off unless (hdr & 0x1f) == 5 && (hdr & 0x20).zero? # a T_STRING, not a special constant
    next off unless enc.odd? && len.odd? # one-byte small values
    str = bin.byteslice(off + 3, len >> 1)
    m = LABEL.match(str)
    next off unless m
    label = "#{m[1]}<top (required)>".b
    return nil if label.bytesize > 127

    body << "\0".b * (-body.bytesize % 4)
    at = body.bytesize
    body << [hdr, enc, (label.bytesize << 1) | 1].pack("C3") << label
    changed = true
    at
  end
  return bin unless changed

  body << "\0".b * (-body.bytesize % 4)
  table_at = body.bytesize
  body << offsets.pack("L*")
  body[12, 4] = [body.bytesize].pack("L")
  body[32, 4] = [table_at].pack("L")
  body
end

# What `require` would have compiled: the same array with the labels changed.
def required_form(obj)
  case obj
  when Array then obj.map { |x| required_form(x) }
  when Hash then obj.to_h { |k, v| [required_form(k), required_form(v)] }
  when String then obj.valid_encoding? && (m = LABEL.match(obj)) ? "#{m[1]}<top (required)>" : obj
  else obj
  end
end

warnings = []
Warning.singleton_class.define_method(:warn) { |msg, **| warnings << msg }
%i[deprecated experimental].each { |c| Warning[c] = true }

# The compile options a cache is built for: Ruby's defaults, and the same
# without specialized instructions, which power_assert (loaded by test/unit)
# switches off for everything compiled after it.
default = ISeq.compile_option
OPTIONS = [default, default.merge(specialized_instruction: false)].freeze

def compiled(path, option, warnings)
  warnings.clear
  $VERBOSE = true
  ISeq.compile_option = option
  iseq = ISeq.compile_file(path)
  warnings.empty? ? iseq : nil
rescue SyntaxError, StandardError
  nil
ensure
  $VERBOSE = false
end

files = roots.flat_map { |r| Dir.glob("#{r}/**/*.rb") }.select { |f| File.file?(f) }.sort.uniq
kept = 0
files.each do |path|
  src = File.binread(path)
  next if src.include?("<main>") && Ripper.lex(src).any? { |(_, type, tok)|
    !%i[on_comment on_embdoc].include?(type) && tok.include?("<main>")
  }

  st = File.stat(path)
  OPTIONS.each_with_index do |option, i|
    iseq = compiled(path, option, warnings)
    next if iseq.nil?

    plain = iseq.to_binary
    bin = relabel(plain)
    next if bin.nil?

    loaded = ISeq.load_from_binary(bin) rescue nil
    next unless loaded && loaded.to_a == required_form(ISeq.load_from_binary(plain).to_a) &&
                loaded.path == path

    dest = File.join(out, i.to_s, path)
    FileUtils.mkdir_p(File.dirname(dest))
    File.binwrite(dest, "#{st.ino} #{st.size} #{st.mtime.tv_sec}.#{st.mtime.tv_nsec}\n" + bin)
    kept += 1
  end
end
ISeq.compile_option = default

File.write(File.join(out, "boot.rb"), <<~RUBY)
  # codeexec's Ruby compile cache (built by scripts/warm-ruby-iseq.rb; see
  # docs/languages.md, "Install-time caches"). Ruby calls load_iseq for every
  # file it requires or loads; nil makes it compile the file as usual.
  # The first call takes this file out of $LOADED_FEATURES again.
  class << RubyVM::InstructionSequence
    dirs = #{OPTIONS.map.with_index { |o, i| [o, File.join(final, i.to_s)] }.to_h.inspect}.freeze
    boot = #{File.join(final, "boot.rb").inspect}
    define_method(:load_iseq) do |path|
      if boot
        $LOADED_FEATURES.delete(boot)
        boot = nil
      end
      return nil if $DEBUG || RubyVM.keep_script_lines || defined?(::SCRIPT_LINES__) ||
                    (defined?(::Coverage) && ::Coverage.running?)
      dir = dirs[compile_option]
      return nil unless dir && File.file?(cached = dir + path)

      data = File.binread(cached)
      nl = data.index("\\n")
      st = File.stat(path)
      return nil unless data.byteslice(0, nl) == "\#{st.ino} \#{st.size} \#{st.mtime.tv_sec}.\#{st.mtime.tv_nsec}"

      iseq = load_from_binary(data.byteslice(nl + 1, data.bytesize))
      iseq.path == path ? iseq : nil
    rescue StandardError
      nil
    end
  end
RUBY
puts "#{kept} compiled forms of #{files.size} files"
