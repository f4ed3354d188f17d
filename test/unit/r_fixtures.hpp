// The R fixtures of the unit tests (test/fixtures/*/NAME.txt, written by the R
// scripts beside them): lines "key word word ...", '#' lines are comments.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace error_budget::test {

struct RFixture {
    std::string name;
    std::map<std::string, std::vector<std::string>> fields;

    const std::string &word(const std::string &key) const { return fields.at(key).at(0); }
    double number(const std::string &key) const { return std::strtod(word(key).c_str(), nullptr); }
    bool is_na(const std::string &key) const { return word(key) == "NA"; }
    std::vector<double> numbers(const std::string &key) const {
        std::vector<double> values;
        for (const std::string &w : fields.at(key)) values.push_back(std::strtod(w.c_str(), nullptr));
        return values;
    }
};

// Every NAME.txt of a directory, in name order (none when it does not exist).
inline std::vector<RFixture> load_r_fixtures(const std::string &directory) {
    std::vector<RFixture> fixtures;
    DIR *dir = opendir(directory.c_str());
    if (dir == nullptr) return fixtures;
    std::vector<std::string> names;
    while (dirent *entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.size() > 4 && name.substr(name.size() - 4) == ".txt") names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string &name : names) {
        RFixture fixture{name, {}};
        std::ifstream in(directory + "/" + name);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string key, word;
            words >> key;
            while (words >> word) fixture.fields[key].push_back(word);
        }
        fixtures.push_back(fixture);
    }
    return fixtures;
}

}  // namespace error_budget::test
