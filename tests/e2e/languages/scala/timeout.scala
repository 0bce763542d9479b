import scala.math._
import scala.collection.mutable._
object Problem {
    def countDistinctCharacters(string : String) : Long = {
        var seen = Set[Char]()
        var i = 0
        while (i < string.length) {
            seen += string(i).toLower
        }
        seen.size.toLong
    }
    def main(args: Array[String]) = {
    assert(countDistinctCharacters(("abcde")) == (5l));
    }

}
