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
# build, in Ruby's own binary format, and OUT/start.rb (loaded with `ruby -r`)
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
# - start.rb returns nothing (Ruby then compiles as usual) when the file's
#   inode, size or modification time changed, when the compile options are
#   not among those the cache was built for, when coverage is measured, when
#   $DEBUG, SCRIPT_LINES__ or RubyVM.keep_script_lines ask for what only a
#   fresh compilation gives, and when Ruby refuses the binary (another
#   Ruby build).
# The files Ruby loads before any -r library (its gem prelude: rubygems,
# error_highlight and did_you_mean, most of an empty program's time) are
# taken from the cache too: the recipe runs `ruby --disable-gems
# --disable-error_highlight --disable-did_you_mean -r OUT/start.rb FILE`,
# and start.rb, once load_iseq is defined, requires the three exactly as the
# prelude does (same order, same messages if one is missing), so that every
# later require goes through rubygems as in a plain `ruby FILE`.
# What stays visible: RubyVM::InstructionSequence.load_iseq is defined;
# start.rb is in $LOADED_FEATURES until the program's own file is compiled
# (a script_compiled hook takes it out before any of the program runs);
# /proc/self/cmdline; ISeq#to_a and #disasm of library code name anonymous
# parameters differently (see above).
require "fileutils"
require "json"
require "ripper"
require "rbconfig"

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

# start.rb (not boot.rb, the name of the cache before it loaded the
# prelude: a recipe that finds start.rb finds a cache that does).
File.write(File.join(out, "start.rb"), <<~RUBY)
  # codeexec's Ruby compile cache (built by scripts/warm-ruby-iseq.rb; see
  # docs/languages.md, "Install-time caches"). Ruby calls load_iseq for every
  # file it requires or loads; nil makes it compile the file as usual.
  start = File.expand_path(__FILE__)
  class << RubyVM::InstructionSequence
    dirs = #{OPTIONS.map.with_index { |o, i| [o, File.join(final, i.to_s)] }.to_h.inspect}.freeze
    define_method(:load_iseq) do |path|
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

  # What Ruby's gem prelude does, which the command line turned off so that
  # it happens here, with the cache.
  begin
    require "rubygems"
  rescue LoadError => e
    raise unless e.path == "rubygems"

    warn "`RubyGems' were not loaded."
  end
  begin
    require "error_highlight"
  rescue LoadError
    warn "`error_highlight' was not loaded."
  end
  begin
    require "did_you_mean"
  rescue LoadError
    warn "`did_you_mean' was not loaded."
  end

  # Ruby lists this file as loaded once it has run; the next compiled
  # script is the program's own file, before any of it runs.
  TracePoint.new(:script_compiled) do |tp|
    tp.disable
    $LOADED_FEATURES.delete(start)
  end.enable
RUBY

# start.rb stands in for this Ruby's gem prelude only if a program finds the
# same state either way (another Ruby's prelude may load more): else it goes,
# and the recipe runs Ruby as it is, without the cache. The cached command
# is the recipe's own (its flags before `-r`), the probe the one the
# differential test runs too.
recipe = JSON.parse(File.read(File.expand_path("../languages/ruby.json", __dir__)))
cached_argv = recipe["steps"].find { |s| s["cached_argv"] }["cached_argv"]
flags = cached_argv[1...cached_argv.index { |a| a.start_with?("-r") }]
abort "warm-ruby-iseq.rb: unexpected cached_argv in languages/ruby.json: #{cached_argv.inspect}" unless
  flags.all? { |f| f.start_with?("--disable-") }
probe = File.expand_path("ruby-start-probe.rb", __dir__)
plain = IO.popen([RbConfig.ruby, probe], err: [:child, :out], &:read)
cached = IO.popen([RbConfig.ruby, *flags, "-r#{File.join(out, "start.rb")}", probe], err: [:child, :out], &:read)
unless plain == cached && $?.success?
  File.delete(File.join(out, "start.rb"))
  abort "warm-ruby-iseq.rb: start.rb does not start Ruby #{RUBY_VERSION} as its prelude does; no cache"
end
puts "#{kept} compiled forms of #{files.size} files"
